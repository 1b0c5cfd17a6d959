/* zid-key-protection.c — private keys at rest, beyond file mode
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "zid-error.h"
#include "zid-i18n.h"
#include "zid-key-protection.h"
#include "zid-openssl.h"

#define SECRETS_BUS_NAME "org.freedesktop.secrets"

/* An encrypted key that the data dir's secret does not open (another
 * secret put back under its name, a damaged file) */
#define WRONG_SECRET _("%s cannot be decrypted with the secret from the keyring. Nothing " \
                       "was changed. Put the secret of this data folder back from your backup")

/* One item per data dir: application + key-set (the id in keys.id). The
 * secret is the 32 bytes in base64, so that `secret-tool lookup` gives a
 * copy that `secret-tool store` puts back. */
static const SecretSchema key_schema = {
  "nl.zorgid.Portaal.KeyWrapping", SECRET_SCHEMA_DONT_MATCH_NAME,
  {
    { "application", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-set", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

typedef enum
{
  VAULT_FOUND,
  VAULT_MISSING,        /* reachable, usable, no such secret */
  VAULT_UNREACHABLE,    /* no session bus, no Secret Service, locked, or too slow */
} VaultResult;

/* A call to the Secret Service in a thread of its own, waited for at most
 * ZID_KEY_VAULT_TIMEOUT_SECONDS: libsecret's calls take no timeout, and a
 * Secret Service that is being started may take its time */
typedef struct
{
  gint          ref;
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  GCancellable *cancellable;

  /* in */
  char         *key_set;
  char         *label;
  GBytes       *store;          /* NULL: look up */
  gboolean      delete;

  /* out */
  VaultResult   result;
  GBytes       *secret;
  char         *reason;
} VaultCall;

static void
vault_call_unref (VaultCall *call)
{
  if (!g_atomic_int_dec_and_test (&call->ref))
    return;
  g_mutex_clear (&call->lock);
  g_cond_clear (&call->cond);
  g_object_unref (call->cancellable);
  g_free (call->key_set);
  g_free (call->label);
  g_clear_pointer (&call->store, g_bytes_unref);
  g_clear_pointer (&call->secret, g_bytes_unref);
  g_free (call->reason);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VaultCall, vault_call_unref)

/* Is a session bus there at all? Without one GIO would try to start one
 * (dbus-launch under X11), which outlives us. */
static gboolean
session_bus_configured (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *socket = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;
  if (runtime == NULL)
    return FALSE;
  socket = g_build_filename (runtime, "bus", NULL);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

/* Is there a Secret Service on @bus, running or startable? Asking a name
 * that nobody owns or can start fails at once; one that can be started
 * is started by the bus, bounded by our own deadline. */
static gboolean
secrets_on_bus (GDBusConnection  *bus,
                GCancellable     *cancellable,
                char            **reason)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  gboolean has_owner = FALSE;

  owned = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SECRETS_BUS_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, ZID_KEY_VAULT_TIMEOUT_SECONDS * 1000,
                                       cancellable, &error);
  if (owned != NULL)
    g_variant_get (owned, "(b)", &has_owner);
  if (has_owner)
    return TRUE;
  names = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListActivatableNames",
                                       NULL, G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, ZID_KEY_VAULT_TIMEOUT_SECONDS * 1000,
                                       cancellable, NULL);
  if (names != NULL)
    {
      g_variant_get (names, "(as)", &iter);
      while (g_variant_iter_loop (iter, "&s", &name))
        if (g_str_equal (name, SECRETS_BUS_NAME))
          return TRUE;
    }
  *reason = g_strdup (_("no Secret Service (keyring) runs in this session"));
  return FALSE;
}

static GHashTable *
key_set_attributes (const char *key_set)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (char *) "application", (char *) APP_ID);
  g_hash_table_insert (attributes, (char *) "key-set", (char *) key_set);
  return attributes;
}

static GBytes *
secret_from_value (SecretValue *value)
{
  const char *text = value != NULL ? secret_value_get_text (value) : NULL;
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  if (text == NULL)
    return NULL;
  raw = g_base64_decode (text, &len);
  if (len != ZID_KEY_SECRET_SIZE)
    {
      if (raw != NULL)
        OPENSSL_cleanse (raw, len);
      return NULL;
    }
  return g_bytes_new_with_free_func (g_steal_pointer (&raw), len,
                                     (GDestroyNotify) g_free, NULL);
}

/* Only what is unlocked already: nothing here ever prompts */
static void
vault_lookup (VaultCall     *call,
              SecretService *service)
{
  g_autoptr(GHashTable) attributes = key_set_attributes (call->key_set);
  g_autoptr(GError) error = NULL;
  GList *items;
  gboolean locked = FALSE;

  items = secret_service_search_sync (service, &key_schema, attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                                      call->cancellable, &error);
  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretItem *item = l->data;
      g_autoptr(SecretValue) value = NULL;

      if (secret_item_get_locked (item))
        {
          locked = TRUE;
          continue;
        }
      value = secret_item_get_secret (item);
      if (call->delete)
        {
          secret_item_delete_sync (item, call->cancellable, NULL);
          continue;
        }
      if (call->secret == NULL)
        call->secret = secret_from_value (value);
    }
  g_list_free_full (items, g_object_unref);

  if (call->secret != NULL)
    call->result = VAULT_FOUND;
  else if (error != NULL)
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup_printf (_("the keyring does not answer: %s"), error->message);
    }
  else if (locked)
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup (_("the keyring is locked"));
    }
  else
    call->result = VAULT_MISSING;
}

/* Into the default collection, and only when that is there and unlocked */
static void
vault_store (VaultCall     *call,
             SecretService *service)
{
  g_autoptr(GHashTable) attributes = key_set_attributes (call->key_set);
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(SecretItem) item = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len;
  const guint8 *raw = g_bytes_get_data (call->store, &len);

  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, call->cancellable, &error);
  if (collection == NULL || secret_collection_get_locked (collection))
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup (collection == NULL
                               ? _("the keyring has no default collection")
                               : _("the keyring is locked"));
      return;
    }
  text = g_base64_encode (raw, len);
  value = secret_value_new (text, -1, "text/plain");
  OPENSSL_cleanse (text, strlen (text));
  item = secret_item_create_sync (collection, &key_schema, attributes, call->label, value,
                                  SECRET_ITEM_CREATE_NONE, call->cancellable, &error);
  if (item == NULL)
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup_printf (_("the keyring does not store the secret: %s"),
                                      error ? error->message : "?");
      return;
    }
  call->result = VAULT_FOUND;
  call->secret = g_bytes_ref (call->store);
}

/* In the Flatpak: libsecret's password calls, which there keep the secret
 * in the app's own keyring file under a master secret from the Secret
 * portal (no access to the host's Secret Service needed). Nothing to
 * unlock there; the portal may ask the desktop, bounded by our deadline. */
static gboolean
use_password_api (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ||
         g_getenv ("ZID_KEY_VAULT_PASSWORD_API") != NULL;
}

static void
vault_password (VaultCall *call)
{
  g_autoptr(GHashTable) attributes = key_set_attributes (call->key_set);
  g_autoptr(GError) error = NULL;
  char *text;

  if (call->store != NULL)
    {
      g_autofree char *encoded = g_base64_encode (g_bytes_get_data (call->store, NULL),
                                                  g_bytes_get_size (call->store));
      gboolean stored = secret_password_storev_sync (&key_schema, attributes, SECRET_COLLECTION_DEFAULT,
                                                     call->label, encoded, call->cancellable, &error);

      OPENSSL_cleanse (encoded, strlen (encoded));
      if (stored)
        call->secret = g_bytes_ref (call->store);
    }
  else if (call->delete)
    secret_password_clearv_sync (&key_schema, attributes, call->cancellable, &error);
  else if ((text = secret_password_lookupv_sync (&key_schema, attributes, call->cancellable, &error)) != NULL)
    {
      g_autoptr(SecretValue) value = secret_value_new (text, -1, "text/plain");

      secret_password_free (text);
      call->secret = secret_from_value (value);
    }

  if (call->secret != NULL)
    call->result = VAULT_FOUND;
  else if (error != NULL)
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup_printf (_("the keyring does not answer: %s"), error->message);
    }
  else
    call->result = VAULT_MISSING;
}

/* On the host: the Secret Service on the session bus, when one runs or
 * can be started there */
static void
vault_service (VaultCall       *call,
               GDBusConnection *bus)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;

  call->result = VAULT_UNREACHABLE;
  if (!secrets_on_bus (bus, call->cancellable, &call->reason))
    return;
  service = secret_service_open_sync (SECRET_TYPE_SERVICE, NULL, SECRET_SERVICE_OPEN_SESSION,
                                      call->cancellable, &error);
  if (service == NULL)
    call->reason = g_strdup_printf (_("the keyring does not answer: %s"), error->message);
  else if (call->store != NULL)
    vault_store (call, service);
  else
    vault_lookup (call, service);
}

static gpointer
vault_thread (gpointer data)
{
  VaultCall *call = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  /* libsecret's proxies belong to this thread's context, dropped with it */
  g_main_context_push_thread_default (context);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, call->cancellable, &error);
  if (bus == NULL)
    {
      call->result = VAULT_UNREACHABLE;
      call->reason = g_strdup_printf (_("no D-Bus session: %s"), error->message);
    }
  else if (use_password_api ())
    vault_password (call);
  else
    vault_service (call, bus);
  g_main_context_pop_thread_default (context);

  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  vault_call_unref (call);
  return NULL;
}

/* After a keyring that did not answer in time, the calls of the next
 * minute (the other keys of the same start) do not wait for it again: one
 * wait of ZID_KEY_VAULT_TIMEOUT_SECONDS per start, not one per key */
#define VAULT_SILENT_RETRY_SECONDS 60
G_LOCK_DEFINE_STATIC (vault_silent);
static gint64 vault_silent_until;

/* Runs @call, waiting at most ZID_KEY_VAULT_TIMEOUT_SECONDS */
static VaultResult
vault_run (VaultCall  *call,
           char      **reason)
{
  gint64 deadline = g_get_monotonic_time () + ZID_KEY_VAULT_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  const char *mode = g_getenv ("ZID_KEY_PROTECTION");
  GThread *thread;
  VaultResult result;
  gboolean silent;

  if (g_strcmp0 (mode, "file") == 0)
    {
      *reason = g_strdup (_("ZID_KEY_PROTECTION=file: no keyring used"));
      return VAULT_UNREACHABLE;
    }
  if (!session_bus_configured ())
    {
      *reason = g_strdup (_("no D-Bus session, so no keyring"));
      return VAULT_UNREACHABLE;
    }

  G_LOCK (vault_silent);
  silent = g_get_monotonic_time () < vault_silent_until;
  G_UNLOCK (vault_silent);
  if (silent)
    {
      *reason = g_strdup_printf (_("the keyring did not answer within %d seconds"),
                                 ZID_KEY_VAULT_TIMEOUT_SECONDS);
      return VAULT_UNREACHABLE;
    }

  g_atomic_int_inc (&call->ref);
  thread = g_thread_new ("zid-key-vault", vault_thread, call);
  g_thread_unref (thread);

  g_mutex_lock (&call->lock);
  while (!call->done)
    if (!g_cond_wait_until (&call->cond, &call->lock, deadline))
      break;
  if (!call->done)
    {
      /* the thread ends when its call sees the cancellation; it holds its
       * own reference to @call */
      g_cancellable_cancel (call->cancellable);
      g_mutex_unlock (&call->lock);
      G_LOCK (vault_silent);
      vault_silent_until = g_get_monotonic_time () + VAULT_SILENT_RETRY_SECONDS * G_USEC_PER_SEC;
      G_UNLOCK (vault_silent);
      *reason = g_strdup_printf (_("the keyring did not answer within %d seconds"),
                                 ZID_KEY_VAULT_TIMEOUT_SECONDS);
      return VAULT_UNREACHABLE;
    }
  g_mutex_unlock (&call->lock);
  result = call->result;
  *reason = g_strdup (call->reason);
  return result;
}

static VaultCall *
vault_call_new (const char *key_set)
{
  VaultCall *call = g_new0 (VaultCall, 1);

  call->ref = 1;
  g_mutex_init (&call->lock);
  g_cond_init (&call->cond);
  call->cancellable = g_cancellable_new ();
  call->key_set = g_strdup (key_set);
  return call;
}

/* The secrets of this process, per key set: the Secret Service is asked
 * once per data dir and process */
static GMutex cache_lock;
static GHashTable *cache;      /* key set -> GBytes */

char *
zid_key_set_read (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, ZID_KEY_SET_FILE, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static GBytes *
cached (const char *key_set)
{
  GBytes *secret = cache != NULL ? g_hash_table_lookup (cache, key_set) : NULL;

  return secret != NULL ? g_bytes_ref (secret) : NULL;
}

static void
remember (const char *key_set,
          GBytes     *secret)
{
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_hash_table_replace (cache, g_strdup (key_set), g_bytes_ref (secret));
}

static GBytes *
lookup (const char  *key_set,
        VaultResult *result,
        char       **reason)
{
  g_autoptr(VaultCall) call = NULL;
  GBytes *secret = cached (key_set);

  if (secret != NULL)
    {
      *result = VAULT_FOUND;
      return secret;
    }
  call = vault_call_new (key_set);
  *result = vault_run (call, reason);
  if (*result != VAULT_FOUND)
    return NULL;
  remember (key_set, call->secret);
  return g_bytes_ref (call->secret);
}

GBytes *
zid_key_secret_require (const char  *data_dir,
                        const char  *what,
                        GError     **error)
{
  g_autofree char *key_set = zid_key_set_read (data_dir);
  g_autofree char *reason = NULL;
  VaultResult result = VAULT_MISSING;
  GBytes *secret = NULL;

  g_mutex_lock (&cache_lock);
  if (key_set != NULL)
    secret = lookup (key_set, &result, &reason);
  g_mutex_unlock (&cache_lock);
  if (secret != NULL)
    return secret;

  if (key_set == NULL)
    g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
                 _("%s is encrypted, but %s/%s, which names the secret in the keyring, is "
                   "missing. Nothing was changed. Put the file back from the backup of this data "
                   "folder"), what, data_dir, ZID_KEY_SET_FILE);
  else if (result == VAULT_MISSING)
    g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
                 _("%s is encrypted with a secret from the keyring, but that secret (key set %s) "
                   "is not in the keyring of this session. Nothing was changed. Put it back from "
                   "your backup with: secret-tool store --label='ZORG-ID Portaal' application %s "
                   "key-set %s"),
                 what, key_set, APP_ID, key_set);
  else if (g_strcmp0 (g_getenv ("ZID_KEY_PROTECTION"), "file") == 0)
    g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
                 _("%s is encrypted with a secret from the keyring, but ZID_KEY_PROTECTION=file "
                   "keeps the keyring out of use. Nothing was changed. Start without "
                   "ZID_KEY_PROTECTION=file, in a session with an unlocked keyring"), what);
  else
    g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
                 _("%s is encrypted with a secret from the keyring, but %s. Nothing was changed. "
                   "Open the keyring (GNOME Keyring, KWallet), unlock it and try again"),
                 what, reason != NULL ? reason : _("the keyring cannot be reached"));
  return NULL;
}

static char *
new_key_set_id (void)
{
  guint8 raw[16];
  GString *id = g_string_sized_new (2 * sizeof raw);

  if (RAND_bytes (raw, sizeof raw) != 1)
    g_error ("The system's random number generator failed");
  for (guint i = 0; i < sizeof raw; i++)
    g_string_append_printf (id, "%02x", raw[i]);
  return g_string_free (id, FALSE);
}

/* A new secret for @data_dir: kept in the Secret Service first, then named
 * in keys.id, linked into place so that of two processes one wins (the
 * loser's secret is taken out again) */
static GBytes *
make_secret (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, ZID_KEY_SET_FILE, NULL);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-%d", path, getpid ());
  g_autofree char *key_set = new_key_set_id ();
  g_autofree char *reason = NULL;
  g_autofree char *line = NULL;
  g_autoptr(VaultCall) call = vault_call_new (key_set);
  g_autoptr(GError) error = NULL;
  guint8 *raw = g_malloc (ZID_KEY_SECRET_SIZE);
  int saved = 0;

  if (RAND_priv_bytes (raw, ZID_KEY_SECRET_SIZE) != 1)
    g_error ("The system's random number generator failed");
  call->store = g_bytes_new_with_free_func (raw, ZID_KEY_SECRET_SIZE, (GDestroyNotify) g_free, NULL);
  call->label = g_strdup_printf ("ZORG-ID Portaal: sleutels van %s", data_dir);
  if (vault_run (call, &reason) != VAULT_FOUND)
    {
      g_debug ("Keys of %s stay plain files: %s", data_dir, reason);
      return NULL;
    }

  line = g_strconcat (key_set, "\n", NULL);
  if (g_file_set_contents_full (tmp, line, -1, G_FILE_SET_CONTENTS_DURABLE, 0600, &error) &&
      link (tmp, path) == 0)
    {
      g_unlink (tmp);
      remember (key_set, call->secret);
      return g_bytes_ref (call->secret);
    }
  saved = errno;
  g_unlink (tmp);
  /* not named anywhere: take it out again */
  {
    g_autoptr(VaultCall) undo = vault_call_new (key_set);
    g_autofree char *ignored = NULL;

    undo->delete = TRUE;
    vault_run (undo, &ignored);
  }
  if (error == NULL && saved == EEXIST)
    {
      g_autofree char *winner = zid_key_set_read (data_dir);
      VaultResult result;

      return winner != NULL ? lookup (winner, &result, &reason) : NULL;
    }
  g_message ("Cannot write %s, keys stay plain files: %s", path,
             error ? error->message : g_strerror (saved));
  return NULL;
}

GBytes *
zid_key_secret_offer (const char *data_dir)
{
  g_autofree char *key_set = zid_key_set_read (data_dir);
  g_autofree char *reason = NULL;
  VaultResult result;
  GBytes *secret;

  g_mutex_lock (&cache_lock);
  if (key_set != NULL)
    {
      secret = lookup (key_set, &result, &reason);
      if (secret == NULL)
        g_debug ("Keys of %s stay as they are: %s", data_dir,
                 reason ? reason : "their secret is not in the Secret Service");
    }
  else
    secret = make_secret (data_dir);
  g_mutex_unlock (&cache_lock);
  return secret;
}

/* The passphrase of a PKCS#8 PEM: the secret in base64 */
static char *
passphrase (GBytes *secret)
{
  gsize len;
  const guint8 *raw = g_bytes_get_data (secret, &len);

  return g_base64_encode (raw, len);
}

char *
zid_key_pem_write (EVP_PKEY *key,
                   GBytes   *secret)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_secmem ());
  g_autofree char *pass = secret != NULL ? passphrase (secret) : NULL;
  char *data;
  long len;
  int ok;

  if (secret != NULL)
    ok = PEM_write_bio_PKCS8PrivateKey (bio, key, EVP_aes_256_cbc (), NULL, 0, NULL, pass);
  else
    ok = PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL);
  if (pass != NULL)
    OPENSSL_cleanse (pass, strlen (pass));
  if (!ok)
    return NULL;
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, len);
}

/* Never asks on a terminal: the passphrase is ours or there is none */
static int
pem_password (char *buf,
              int   size,
              int   rwflag,
              void *user_data)
{
  const char *pass = user_data;
  int len = pass != NULL ? (int) strlen (pass) : -1;

  if (len < 0 || len > size)
    return -1;
  memcpy (buf, pass, len);
  return len;
}

EVP_PKEY *
zid_key_pem_read (const char  *pem,
                  const char  *data_dir,
                  const char  *what,
                  gboolean    *encrypted,
                  GError     **error)
{
  g_autoptr(BIO) bio = BIO_new_mem_buf (pem, -1);
  g_autoptr(GBytes) secret = NULL;
  g_autofree char *pass = NULL;
  EVP_PKEY *key;

  *encrypted = strstr (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
  if (*encrypted)
    {
      if ((secret = zid_key_secret_require (data_dir, what, error)) == NULL)
        return NULL;
      pass = passphrase (secret);
    }
  key = PEM_read_bio_PrivateKey (bio, NULL, pem_password, pass);
  if (pass != NULL)
    OPENSSL_cleanse (pass, strlen (pass));
  if (key == NULL)
    g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO,
                 *encrypted ? WRONG_SECRET : _("%s is damaged"), what);
  return key;
}

gboolean
zid_key_seal_wrap (const guint8  key[32],
                   GBytes       *secret,
                   guint8        out[ZID_KEY_SEAL_WRAPPED_SIZE])
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  const guint8 *k = g_bytes_get_data (secret, NULL);
  guint8 *iv = out + 8, *body = out + 20, *tag = out + 52;
  int n = 0, m = 0;

  memcpy (out, ZID_KEY_SEAL_MAGIC, 8);
  return ctx != NULL && RAND_bytes (iv, 12) == 1 &&
         EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, k, iv) == 1 &&
         EVP_EncryptUpdate (ctx, NULL, &n, out, 8) == 1 &&
         EVP_EncryptUpdate (ctx, body, &n, key, 32) == 1 &&
         EVP_EncryptFinal_ex (ctx, body + n, &m) == 1 && n + m == 32 &&
         EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

gboolean
zid_key_seal_read (const guint8  *data,
                   gsize          len,
                   const char    *data_dir,
                   const char    *what,
                   guint8         key[32],
                   gboolean      *encrypted,
                   GError       **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  g_autoptr(GBytes) secret = NULL;
  int n = 0, m = 0;

  *encrypted = len == ZID_KEY_SEAL_WRAPPED_SIZE && memcmp (data, ZID_KEY_SEAL_MAGIC, 8) == 0;
  if (!*encrypted)
    {
      if (len != 32)
        {
          g_set_error (error, ZID_ERROR, ZID_ERROR_STORE, _("%s is damaged"), what);
          return FALSE;
        }
      memcpy (key, data, 32);
      return TRUE;
    }
  if ((secret = zid_key_secret_require (data_dir, what, error)) == NULL)
    return FALSE;
  ctx = EVP_CIPHER_CTX_new ();
  if (ctx == NULL ||
      EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, g_bytes_get_data (secret, NULL), data + 8) != 1 ||
      EVP_DecryptUpdate (ctx, NULL, &n, data, 8) != 1 ||
      EVP_DecryptUpdate (ctx, key, &n, data + 20, 32) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *) (data + 52)) != 1 ||
      EVP_DecryptFinal_ex (ctx, key + n, &m) != 1)
    {
      OPENSSL_cleanse (key, 32);
      g_set_error (error, ZID_ERROR, ZID_ERROR_CRYPTO, WRONG_SECRET, what);
      return FALSE;
    }
  return TRUE;
}

/* 1: encrypted, 0: plain, -1: no such file */
static int
file_encrypted (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return -1;
  if (g_str_has_suffix (path, ".pem"))
    return strstr (data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
  return len == ZID_KEY_SEAL_WRAPPED_SIZE && memcmp (data, ZID_KEY_SEAL_MAGIC, 8) == 0;
}

ZidKeyProtection
zid_key_protection_inspect (const char  *data_dir,
                            char       **plain)
{
  static const char * const files[] = { "ca/key.pem", "service-tls/key.pem", "seal.key", NULL };
  g_autoptr(GPtrArray) found_plain = g_ptr_array_new ();
  guint any = 0, n_plain;

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (data_dir, files[i], NULL);
      int state = file_encrypted (path);

      if (state >= 0)
        any++;
      if (state == 0)
        g_ptr_array_add (found_plain, (char *) files[i]);
    }
  n_plain = found_plain->len;
  if (plain != NULL)
    {
      g_ptr_array_add (found_plain, NULL);
      *plain = g_strjoinv (", ", (char **) found_plain->pdata);
    }
  if (any == 0)
    return ZID_KEY_PROTECTION_NO_KEYS;
  return n_plain > 0 ? ZID_KEY_PROTECTION_FILE_MODE : ZID_KEY_PROTECTION_ENCRYPTED;
}
