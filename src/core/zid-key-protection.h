/* zid-key-protection.h — private keys at rest, beyond file mode
 *
 * The private keys of a data dir (the local CA's ca/key.pem, the
 * enrolment service's service-tls/key.pem, the store's seal.key) are
 * encrypted with a random 256-bit wrapping secret kept in the Secret
 * Service (GNOME Keyring, KWallet; in the Flatpak the Secret portal) when
 * one is reachable with an unlocked default collection: PKCS#8
 * "ENCRYPTED PRIVATE KEY" PEM (AES-256-CBC, PBKDF2) for the CA and TLS
 * keys, AES-256-GCM for the seal key. The data dir names its secret in
 * ZID_KEY_SET_FILE. Without a Secret Service the keys stay plain files of
 * mode 0600, and zid_key_protection_inspect() says so.
 *
 * Bounded: every call to the Secret Service is over within
 * ZID_KEY_VAULT_TIMEOUT_SECONDS, and nothing ever prompts (a locked
 * collection counts as unreachable). Never downgraded: a key stored
 * encrypted whose secret cannot be had is an error, and nothing is
 * written. ZID_KEY_PROTECTION=file in the environment keeps to plain
 * files without asking any Secret Service (encrypted keys then refuse).
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

#define ZID_KEY_SET_FILE               "keys.id"
#define ZID_KEY_VAULT_TIMEOUT_SECONDS  5
#define ZID_KEY_SECRET_SIZE            32
/* The seal key, 32 bytes, wrapped: magic, 12 bytes IV, 32 bytes, 16 bytes tag */
#define ZID_KEY_SEAL_MAGIC             "ZIDSEAL1"
#define ZID_KEY_SEAL_WRAPPED_SIZE      (8 + 12 + 32 + 16)

/* The ID of the keyring secret named by @data_dir's ZID_KEY_SET_FILE, or
 * NULL when it names none (the keys are plain) */
char     *zid_key_set_read            (const char    *data_dir);

/* The wrapping secret of data dir @data_dir, needed to read a key stored
 * encrypted: NULL with a Dutch error that says what happened and what to
 * do (@what names the key) when it cannot be had */
GBytes   *zid_key_secret_require      (const char    *data_dir,
                                       const char    *what,
                                       GError       **error);
/* The wrapping secret of @data_dir, made (and kept in the Secret Service)
 * when there is none yet: NULL when no usable Secret Service is reachable,
 * and the keys stay plain */
GBytes   *zid_key_secret_offer        (const char    *data_dir);

/* @key as PEM: encrypted PKCS#8 with @secret, plain without */
char     *zid_key_pem_write           (EVP_PKEY      *key,
                                       GBytes        *secret);
/* @pem's key; an encrypted one with the secret of @data_dir. *encrypted
 * says which it was. */
EVP_PKEY *zid_key_pem_read            (const char    *pem,
                                       const char    *data_dir,
                                       const char    *what,
                                       gboolean      *encrypted,
                                       GError       **error);

/* The seal key: @len bytes of its file, plain (32 bytes) or wrapped */
gboolean  zid_key_seal_read           (const guint8  *data,
                                       gsize          len,
                                       const char    *data_dir,
                                       const char    *what,
                                       guint8         key[32],
                                       gboolean      *encrypted,
                                       GError       **error);
/* @key wrapped with @secret: ZID_KEY_SEAL_WRAPPED_SIZE bytes into @out */
gboolean  zid_key_seal_wrap           (const guint8   key[32],
                                       GBytes        *secret,
                                       guint8         out[ZID_KEY_SEAL_WRAPPED_SIZE]);

typedef enum
{
  ZID_KEY_PROTECTION_NO_KEYS,        /* none made yet */
  ZID_KEY_PROTECTION_FILE_MODE,      /* at least one plain key file */
  ZID_KEY_PROTECTION_ENCRYPTED,      /* every key file encrypted */
} ZidKeyProtection;

/* How the key files of @data_dir are kept, from the files alone (no
 * Secret Service asked); *plain (may be NULL) the plain ones, by name */
ZidKeyProtection zid_key_protection_inspect (const char  *data_dir,
                                             char       **plain);

G_END_DECLS
