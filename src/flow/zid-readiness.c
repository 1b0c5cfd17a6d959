/* zid-readiness.c — is this machine ready to complete a registration?
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-flow"

#include "config.h"

#include "zid-readiness.h"

#include <errno.h>
#include <string.h>

#include "zid-flow-config.h"
#include "zid-i18n.h"
#include "zid-key-protection.h"
#include "zid-registration-file.h"
#include "zid-trust.h"

/* The one-time command that makes a UZI-capable module visible, for this
 * installation.  In the Flatpak: the forwarding helper of the host, which
 * installs and starts its systemd user service (pkcs11/).  On the host:
 * SafeSign registered with p11-kit for this user, from this install's
 * data dir. */
#define FORWARD_COMMAND \
  "\"$(flatpak info --show-location nl.zorgid.Portaal)/files/share/zorgid-portaal/pkcs11/zorgid-pkcs11-forward\" --enable"
#define HOST_MODULE_COMMAND \
  "mkdir -p ~/.config/pkcs11/modules && cp " DATADIR "/zorgid-portaal/pkcs11/modules/safesign-uzi.module ~/.config/pkcs11/modules/"

G_DEFINE_BOXED_TYPE (ZidReadinessCheck, zid_readiness_check, zid_readiness_check_copy,
                     zid_readiness_check_free)

ZidReadinessCheck *
zid_readiness_check_copy (const ZidReadinessCheck *check)
{
  ZidReadinessCheck *copy;

  g_return_val_if_fail (check != NULL, NULL);

  copy = g_new0 (ZidReadinessCheck, 1);
  copy->id = g_strdup (check->id);
  copy->state = check->state;
  copy->title = g_strdup (check->title);
  copy->description = g_strdup (check->description);
  copy->action = g_strdup (check->action);
  copy->command = g_strdup (check->command);
  return copy;
}

void
zid_readiness_check_free (ZidReadinessCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->id);
  g_free (check->title);
  g_free (check->description);
  g_free (check->action);
  g_free (check->command);
  g_free (check);
}

const char *
zid_readiness_state_to_string (ZidReadinessState state)
{
  switch (state)
    {
    case ZID_READINESS_OK:      return "ok";
    case ZID_READINESS_WARNING: return "warning";
    case ZID_READINESS_FAILED:  return "failed";
    default:                    return "failed";
    }
}

static ZidReadinessCheck *
add_check (GPtrArray         *checks,
           const char        *id,
           ZidReadinessState  state,
           const char        *title,
           const char        *action,
           const char        *command,
           const char        *format,
           ...) G_GNUC_PRINTF (7, 8);

static ZidReadinessCheck *
add_check (GPtrArray         *checks,
           const char        *id,
           ZidReadinessState  state,
           const char        *title,
           const char        *action,
           const char        *command,
           const char        *format,
           ...)
{
  ZidReadinessCheck *check = g_new0 (ZidReadinessCheck, 1);
  va_list args;

  check->id = g_strdup (id);
  check->state = state;
  check->title = g_strdup (title);
  check->action = state != ZID_READINESS_OK ? g_strdup (action) : NULL;
  check->command = state != ZID_READINESS_OK ? g_strdup (command) : NULL;
  va_start (args, format);
  check->description = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (checks, check);
  return check;
}

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* --- the checks ----------------------------------------------------------- */

static void
check_environment (GPtrArray  *checks,
                   ZidBackend *portal)
{
  ZidEnvironment env = zid_backend_get_environment (portal);

  add_check (checks, "environment", ZID_READINESS_OK, _("Environment"), NULL, NULL,
             _("%s, data in %s%s"), env == ZID_ENVIRONMENT_PRODUCTIE
               ? _("Productie: real UZI cards and registrations")
               : _("Acceptatie: UZI test cards and test registrations"),
             zid_backend_get_data_dir (portal),
             in_flatpak () ? _(" (in the Flatpak)") : "");
}

/* pcscd and the readers; returns whether a reader is there */
static gboolean
check_pcsc (GPtrArray *checks,
            gboolean  *card_present)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) readers = zid_card_list_readers (&error);
  const char *service_command = in_flatpak ()
    ? _("sudo systemctl enable --now pcscd.socket   # on the computer, outside the Flatpak")
    : "sudo systemctl enable --now pcscd.socket";

  if (readers == NULL)
    {
      gboolean no_service = g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_SERVICE);

      add_check (checks, "pcscd", ZID_READINESS_FAILED, _("Card service (pcscd)"), NULL,
                 no_service ? service_command : NULL,
                 no_service ? _("The card service pcscd is not running; without it no card reader "
                                "can be used (%s)")
                            : _("The card service does not answer: %s"),
                 error->message);
      add_check (checks, "readers", ZID_READINESS_FAILED, _("Card reader"), NULL, service_command,
                 _("Without the card service no card readers can be seen"));
      return FALSE;
    }
  add_check (checks, "pcscd", ZID_READINESS_OK, _("Card service (pcscd)"), NULL, NULL,
             _("The card service pcscd is running"));
  if (readers->len == 0)
    {
      add_check (checks, "readers", ZID_READINESS_FAILED, _("Card reader"), NULL, "pcsc_scan",
                 _("No card reader is connected. Connect the card reader; pcsc_scan shows which "
                   "readers the card service sees"));
      return FALSE;
    }
  {
    g_autoptr(GString) names = g_string_new (NULL);
    gboolean card = FALSE;

    for (guint i = 0; i < readers->len; i++)
      {
        ZidReader *reader = g_ptr_array_index (readers, i);

        if (names->len > 0)
          g_string_append (names, ", ");
        g_string_append (names, zid_reader_get_name (reader));
        card |= zid_reader_get_card_present (reader);
      }
    add_check (checks, "readers", ZID_READINESS_OK, _("Card reader"), NULL, NULL,
               zid_ngettext ("%u card reader: %s%s", "%u card readers: %s%s", readers->len),
               readers->len, names->str,
               card ? "" : _(" (no card inserted)"));
    *card_present = card;
  }
  return TRUE;
}

/* The command with its comment in the user's language: interned, so
 * one string per language for the life of the process */
const char *
zid_readiness_pkcs11_command (void)
{
  g_autofree char *command = in_flatpak ()
    ? g_strconcat (FORWARD_COMMAND "   # ",
                   _("once, on the computer outside the Flatpak; then start the application again"),
                   NULL)
    : g_strconcat (HOST_MODULE_COMMAND "   # ",
                   _("once, after installing the SafeSign Identity Client; then start the "
                     "application again"),
                   NULL);

  return g_intern_string (command);
}

static void
check_pkcs11 (GPtrArray           *checks,
              const ZidCardConfig *config,
              gboolean             have_reader,
              gboolean             card_present,
              GCancellable        *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidPkcs11) pkcs11 = NULL;
  g_autoptr(ZidToken) token = NULL;
  g_auto(GStrv) modules = NULL;
  g_autofree char *module_list = NULL;
  const char *title = _("UZI-pas (PKCS#11)");
  const char *install = zid_readiness_pkcs11_command ();

  pkcs11 = zid_pkcs11_new (config, &error);
  if (pkcs11 == NULL)
    {
      add_check (checks, "pkcs11", ZID_READINESS_FAILED, title, NULL, install,
                 _("The PKCS#11 module cannot be loaded: %s"), error->message);
      return;
    }
  modules = zid_pkcs11_get_module_names (pkcs11);
  module_list = modules != NULL && modules[0] != NULL ? g_strjoinv (", ", modules) : NULL;
  if (module_list == NULL)
    {
      add_check (checks, "pkcs11", ZID_READINESS_FAILED, title, NULL, install,
                 _("There is no PKCS#11 module for cards (SafeSign through p11-kit, or OpenSC)"));
      return;
    }
  if (!have_reader)
    {
      add_check (checks, "pkcs11", ZID_READINESS_WARNING, title, NULL, NULL,
                 _("Modules: %s. Without a card reader no UZI-pas can be seen"), module_list);
      return;
    }
  token = zid_pkcs11_find_uzi_token (pkcs11, cancellable, &error);
  if (token != NULL)
    {
      add_check (checks, "pkcs11", ZID_READINESS_OK, title, NULL, NULL,
                 _("A UZI-pas can be seen through %s"), module_list);
      return;
    }
  /* A card in the reader that no module shows as a token: no module here
   * reads it (the UZI card without SafeSign) */
  if (g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD) && card_present)
    add_check (checks, "pkcs11", ZID_READINESS_FAILED, title, NULL, install,
               _("There is a card in the reader, but no PKCS#11 module (%s) can read it. The "
                 "UZI-pas needs SafeSign"), module_list);
  else if (g_error_matches (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD))
    add_check (checks, "pkcs11", ZID_READINESS_WARNING, title, NULL, NULL,
               _("No card found through %s. Put the UZI-pas in the card reader"), module_list);
  else
    add_check (checks, "pkcs11", ZID_READINESS_FAILED, title, NULL, install,
               _("The card in the reader cannot be read as a UZI-pas through %s: %s. The UZI-pas "
                 "needs SafeSign"), module_list, error->message);
}

static void
check_uzi_trust (GPtrArray           *checks,
                 ZidBackend          *portal,
                 const ZidCardConfig *config)
{
  const char *title = _("Trusted UZI certificates");
  g_autoptr(GPtrArray) entries = zid_backend_list_trust (portal, ZID_TRUST_KIND_UZI);
  guint builtin = 0, added = 0;

  if (config != NULL && config->trust_dir != NULL && *config->trust_dir != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ZidTrustFolder) folder = zid_trust_folder_load (config->trust_dir, NULL, &error);

      if (folder == NULL || folder->n_anchors == 0)
        add_check (checks, "uzi-trust", ZID_READINESS_FAILED, title, NULL,
                   "unset ZID_UZI_TRUST_DIR",
                   folder == NULL
                     ? _("The folder %s (ZID_UZI_TRUST_DIR) cannot be read")
                     : _("The folder %s (ZID_UZI_TRUST_DIR) holds no root certificate"),
                   config->trust_dir);
      else
        add_check (checks, "uzi-trust", ZID_READINESS_OK, title, NULL, NULL,
                   _("UZI cards are checked with the folder %s (ZID_UZI_TRUST_DIR)"),
                   config->trust_dir);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      ZidTrustEntry *e = g_ptr_array_index (entries, i);
      if (zid_trust_entry_get_is_anchor (e))
        {
          if (zid_trust_entry_get_builtin (e))
            builtin++;
          else
            added++;
        }
    }
  if (builtin + added == 0)
    add_check (checks, "uzi-trust", ZID_READINESS_FAILED, title, ZID_READINESS_ACTION_UZI_TRUST,
               _("zorgid-admin trust add --kind uzi FILE"),
               _("No UZI root certificates are trusted for %s, so no UZI-pas can be checked. Add "
                 "the CA certificates of the UZI register"),
               zid_environment_to_string (zid_backend_get_environment (portal)));
  else
    add_check (checks, "uzi-trust", ZID_READINESS_OK, title, NULL, NULL,
               _("Root certificates for %s: %u built in, %u added"),
               zid_environment_to_string (zid_backend_get_environment (portal)), builtin, added);
}

static void
check_operator_trust (GPtrArray  *checks,
                      ZidBackend *portal)
{
  const char *title = _("Signer of registration files");
  g_autofree char *override = zid_registration_file_default_trust_dir (NULL);

  if (override != NULL)
    {
      g_autoptr(ZidTrustFolder) folder = zid_trust_folder_load (override, NULL, NULL);

      if (folder == NULL || folder->n_anchors == 0)
        add_check (checks, "operator-trust", ZID_READINESS_FAILED, title, NULL,
                   "unset ZID_OPERATOR_TRUST_DIR",
                   folder == NULL
                     ? _("The folder %s (ZID_OPERATOR_TRUST_DIR) cannot be read")
                     : _("The folder %s (ZID_OPERATOR_TRUST_DIR) holds no root certificate"),
                   override);
      else
        add_check (checks, "operator-trust", ZID_READINESS_OK, title, NULL, NULL,
                   _("Registration files are checked with the folder %s (ZID_OPERATOR_TRUST_DIR)"),
                   override);
      return;
    }
  if (zid_trust_store_has_anchors (zid_backend_get_data_dir (portal),
                                   zid_backend_get_environment (portal), ZID_TRUST_KIND_OPERATOR))
    add_check (checks, "operator-trust", ZID_READINESS_OK, title, NULL, NULL,
               _("The signer of VZVZ is trusted"));
  else
    /* Not a failure: the first import offers to trust the signer */
    add_check (checks, "operator-trust", ZID_READINESS_WARNING, title,
               ZID_READINESS_ACTION_IMPORT_REGISTRATION,
               _("zorgid-admin trust add --kind operator FILE"),
               _("No signer of registration files trusted yet. The first import shows the "
                 "fingerprint; compare it with what VZVZ gave you"));
}

static void
check_registration (GPtrArray  *checks,
                    ZidBackend *portal)
{
  const char *title = _("Organisation registration");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = zid_backend_list_registrations (portal, FALSE, &error);
  g_autoptr(GPtrArray) all = NULL;

  if (pending == NULL)
    {
      add_check (checks, "registration", ZID_READINESS_FAILED, title, NULL, NULL,
                 _("The registrations cannot be read: %s"), error->message);
      return;
    }
  if (pending->len > 0)
    {
      ZidRegistration *r = g_ptr_array_index (pending, 0);
      ZidReadinessCheck *c = add_check (checks, "registration", ZID_READINESS_OK, title, NULL, NULL,
                                        pending->len > 1
                                          ? _("%s (URA %s) waits for completion with the UZI-pas, "
                                              "and there are more")
                                          : _("%s (URA %s) waits for completion with the UZI-pas"),
                                        r->name, r->ura);
      c->action = g_strdup (ZID_READINESS_ACTION_VALIDATE);
      return;
    }
  all = zid_backend_list_registrations (portal, TRUE, NULL);
  if (all != NULL && all->len > 0)
    add_check (checks, "registration", ZID_READINESS_OK, title, NULL, NULL,
               _("All imported registrations are completed"));
  else
    add_check (checks, "registration", ZID_READINESS_WARNING, title,
               ZID_READINESS_ACTION_IMPORT_REGISTRATION, _("zorgid-admin registration import FILE"),
               _("No registration file has been imported yet. Import the file you received from "
                 "VZVZ"));
}

static void
check_service (GPtrArray         *checks,
               ZidBackend        *portal,
               guint16            port,
               ZidReadinessFlags  flags)
{
  const char *title = _("Phone enrolment service");
  g_autofree char *address = zid_backend_dup_service_address (portal);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) any = NULL;
  g_autoptr(GSocketAddress) where = NULL;
  g_autoptr(GError) error = NULL;
  gboolean in_use = FALSE;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket != NULL)
    {
      any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      where = g_inet_socket_address_new (any, port);
      if (!g_socket_bind (socket, where, FALSE, &error))
        in_use = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
      else
        g_clear_error (&error);
    }

  if (error != NULL && !(in_use && (flags & ZID_READINESS_OWN_SERVICE)))
    {
      g_autofree char *who = in_use ? g_strdup_printf ("ss -ltnp 'sport = :%u'", port) : NULL;

      add_check (checks, "service", ZID_READINESS_FAILED, title, ZID_READINESS_ACTION_PREFERENCES, who,
                 in_use ? _("Port %u is already in use by another program: phones cannot reach the "
                            "enrolment service then (%s). Stop that program or choose another port "
                            "in the service address")
                        : _("Port %u cannot be opened: %s"),
                 port, error->message);
      return;
    }
  if (address == NULL || *address == '\0')
    {
      add_check (checks, "service", ZID_READINESS_WARNING, title, ZID_READINESS_ACTION_PREFERENCES,
                 _("zorgid-admin config set service-address ADDRESS:PORT"),
                 _("Port %u is free, but no service address is set: the address at which phones "
                   "reach this computer (for example 192.168.1.10:%u)"), port, port);
      return;
    }
  add_check (checks, "service", ZID_READINESS_OK, title, NULL, NULL,
             (flags & ZID_READINESS_OWN_SERVICE) && in_use
               ? _("Service address %s; the enrolment service listens on port %u")
               : _("Service address %s; port %u can be opened"),
             address, port);
}

/* The private keys of the data dir, from their files (zid-key-protection.h) */
static void
check_keys (GPtrArray  *checks,
            ZidBackend *portal)
{
  const char *title = _("Keys");
  const char *data_dir = zid_backend_get_data_dir (portal);
  g_autofree char *plain = NULL;
  g_autofree char *key_set_path = g_build_filename (data_dir, ZID_KEY_SET_FILE, NULL);
  g_autofree char *key_set = NULL;

  switch (zid_key_protection_inspect (data_dir, &plain))
    {
    case ZID_KEY_PROTECTION_FILE_MODE:
      add_check (checks, "keys", ZID_READINESS_WARNING, title, NULL, NULL,
                 _("Keys protected by file permissions only (%s in %s): no unlocked keyring "
                   "(Secret Service) can be reached%s. Whoever can read these files, for example "
                   "from a backup, can issue certificates. On a desktop: unlock the keyring (GNOME "
                   "Keyring, KWallet) and restart the portal, then the keys are encrypted. On a "
                   "server without a keyring: keep the data folder to this user only and encrypt "
                   "the disk"),
                 plain, data_dir,
                 g_strcmp0 (g_getenv ("ZID_KEY_PROTECTION"), "file") == 0
                   ? " (ZID_KEY_PROTECTION=file)" : "");
      return;
    case ZID_KEY_PROTECTION_ENCRYPTED:
      if (g_file_get_contents (key_set_path, &key_set, NULL, NULL))
        g_strstrip (key_set);
      add_check (checks, "keys", ZID_READINESS_OK, title, NULL, NULL,
                 _("Keys encrypted with a secret from the keyring (key set %s). Keep a backup of "
                   "that secret: secret-tool lookup application %s key-set %s"),
                 key_set ? key_set : "?", APP_ID, key_set ? key_set : "?");
      return;
    case ZID_KEY_PROTECTION_NO_KEYS:
    default:
      add_check (checks, "keys", ZID_READINESS_OK, title, NULL, NULL,
                 _("No keys made yet"));
      return;
    }
}

GPtrArray *
zid_readiness_run (ZidBackend          *portal,
                   const ZidCardConfig *config,
                   guint16              port,
                   ZidReadinessFlags    flags,
                   GCancellable        *cancellable)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_readiness_check_free);
  g_autoptr(ZidCardConfig) own_config = NULL;

  g_return_val_if_fail (ZID_IS_BACKEND (portal), checks);

  if (config == NULL)
    config = own_config = zid_card_config_new_for_portal (portal);

  check_environment (checks, portal);
  if (flags & ZID_READINESS_NO_CARD)
    {
      add_check (checks, "pcscd", ZID_READINESS_WARNING, _("Card service (pcscd)"), NULL, NULL,
                 _("Not checked"));
      add_check (checks, "readers", ZID_READINESS_WARNING, _("Card reader"), NULL, NULL,
                 _("Not checked"));
      add_check (checks, "pkcs11", ZID_READINESS_WARNING, _("UZI-pas (PKCS#11)"), NULL, NULL,
                 _("Not checked"));
    }
  else
    {
      gboolean card_present = FALSE;
      gboolean have_reader = check_pcsc (checks, &card_present);

      check_pkcs11 (checks, config, have_reader, card_present, cancellable);
    }
  check_uzi_trust (checks, portal, config);
  check_operator_trust (checks, portal);
  check_registration (checks, portal);
  check_service (checks, portal, port, flags);
  check_keys (checks, portal);
  return checks;
}

typedef struct
{
  ZidCardConfig     *config;
  guint16            port;
  ZidReadinessFlags  flags;
} RunData;

static void
run_data_free (RunData *data)
{
  zid_card_config_free (data->config);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task,
                         zid_readiness_run (ZID_BACKEND (source_object), data->config, data->port,
                                            data->flags, cancellable),
                         (GDestroyNotify) g_ptr_array_unref);
}

void
zid_readiness_run_async (ZidBackend          *portal,
                         const ZidCardConfig *config,
                         guint16              port,
                         ZidReadinessFlags    flags,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (ZID_IS_BACKEND (portal));

  task = g_task_new (portal, cancellable, callback, user_data);
  g_task_set_source_tag (task, zid_readiness_run_async);
  data = g_new0 (RunData, 1);
  data->config = config != NULL ? zid_card_config_copy (config) : NULL;
  data->port = port;
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

GPtrArray *
zid_readiness_run_finish (ZidBackend    *portal,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, portal), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == zid_readiness_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const ZidReadinessCheck *
zid_readiness_find (GPtrArray  *checks,
                    const char *id)
{
  g_return_val_if_fail (checks != NULL && id != NULL, NULL);

  for (guint i = 0; i < checks->len; i++)
    {
      const ZidReadinessCheck *c = g_ptr_array_index (checks, i);
      if (g_str_equal (c->id, id))
        return c;
    }
  return NULL;
}

gboolean
zid_readiness_any_failed (GPtrArray *checks)
{
  g_return_val_if_fail (checks != NULL, FALSE);

  for (guint i = 0; i < checks->len; i++)
    if (((ZidReadinessCheck *) g_ptr_array_index (checks, i))->state == ZID_READINESS_FAILED)
      return TRUE;
  return FALSE;
}
