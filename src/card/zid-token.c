/* zid-token.c — one PKCS#11 token: certificates, PIN, proof of possession */
#define G_LOG_DOMAIN "zid-card"

#include "zid-token.h"
#include "zid-pkcs11-private.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "zid-card-error.h"
#include "zid-i18n.h"

struct _ZidToken
{
  GObject parent_instance;

  /* owned */
  ZidPkcs11 *owner;
  char *module_name;
  char *reader_name;
  char *label;
  char *serial;
  GPtrArray *certs; /* ZidTokenCertificate */

  /* borrowed from owner */
  CK_FUNCTION_LIST *module;

  CK_SLOT_ID slot;
  CK_FLAGS flags;
  CK_ULONG min_pin;
  CK_ULONG max_pin;
  CK_SESSION_HANDLE session;
  gboolean has_session;
  gboolean logged_in;
  int tries_left;
};

G_DEFINE_FINAL_TYPE (ZidToken, zid_token, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (ZidTokenCertificate, zid_token_certificate,
                     zid_token_certificate_ref, zid_token_certificate_unref)

ZidTokenCertificate *
zid_token_certificate_ref (ZidTokenCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, NULL);
  g_atomic_ref_count_inc (&cert->ref_count);
  return cert;
}

void
zid_token_certificate_unref (ZidTokenCertificate *cert)
{
  g_return_if_fail (cert != NULL);
  if (g_atomic_ref_count_dec (&cert->ref_count))
    {
      g_free (cert->label);
      g_clear_pointer (&cert->id, g_bytes_unref);
      g_clear_pointer (&cert->der, g_bytes_unref);
      g_clear_object (&cert->identity);
      g_clear_error (&cert->error);
      g_free (cert);
    }
}

static void
close_session (ZidToken *self)
{
  if (self->has_session)
    {
      zid_pkcs11_lock (self->owner);
      self->module->C_CloseSession (self->session);
      zid_pkcs11_unlock (self->owner);
    }
  self->has_session = FALSE;
  self->logged_in = FALSE;
}

static void
zid_token_finalize (GObject *object)
{
  ZidToken *self = ZID_TOKEN (object);

  close_session (self);
  g_clear_pointer (&self->certs, g_ptr_array_unref);
  g_free (self->module_name);
  g_free (self->reader_name);
  g_free (self->label);
  g_free (self->serial);
  g_clear_object (&self->owner);

  G_OBJECT_CLASS (zid_token_parent_class)->finalize (object);
}

static void
zid_token_class_init (ZidTokenClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_token_finalize;
}

static void
zid_token_init (ZidToken *self)
{
  self->certs = g_ptr_array_new_with_free_func ((GDestroyNotify) zid_token_certificate_unref);
  self->tries_left = -1;
}

ZidToken *
zid_token_new (ZidPkcs11           *owner,
               CK_FUNCTION_LIST    *module,
               const char          *module_name,
               CK_SLOT_ID           slot,
               const CK_SLOT_INFO  *slot_info,
               const CK_TOKEN_INFO *token_info)
{
  ZidToken *self = g_object_new (ZID_TYPE_TOKEN, NULL);

  self->owner = g_object_ref (owner);
  self->module = module;
  self->module_name = g_strdup (module_name);
  self->slot = slot;
  self->reader_name = zid_pkcs11_string (slot_info->slotDescription, sizeof slot_info->slotDescription);
  self->label = zid_pkcs11_string (token_info->label, sizeof token_info->label);
  self->serial = zid_pkcs11_string (token_info->serialNumber, sizeof token_info->serialNumber);
  self->flags = token_info->flags;
  self->min_pin = token_info->ulMinPinLen;
  self->max_pin = token_info->ulMaxPinLen;
  return self;
}

/* Is the card still in its reader? */
static gboolean
card_gone (ZidToken *self)
{
  CK_SLOT_INFO info;

  if (self->module->C_GetSlotInfo (self->slot, &info) != CKR_OK)
    return TRUE;
  return !(info.flags & CKF_TOKEN_PRESENT);
}

static void
set_error (ZidToken    *self,
           GError     **error,
           CK_RV        rv,
           const char  *doing)
{
  gboolean gone = FALSE;

  if (rv != CKR_PIN_INCORRECT && rv != CKR_PIN_LOCKED && rv != CKR_PIN_LEN_RANGE)
    gone = card_gone (self);
  if (!gone && (rv == CKR_GENERAL_ERROR || rv == CKR_DEVICE_ERROR || rv == CKR_FUNCTION_FAILED))
    {
      /* A card pulled out mid-command shows as a plain failure first; the
       * reader reports the removal a moment later (pcscd polls some readers
       * every 400 ms). Only on this error path, in a worker thread. */
      for (guint i = 0; i < 10 && !gone; i++)
        {
          g_usleep (100 * G_TIME_SPAN_MILLISECOND);
          gone = card_gone (self);
        }
    }
  if (gone)
    {
      /* The session went with the card */
      self->has_session = FALSE;
      self->logged_in = FALSE;
    }
  zid_pkcs11_set_error (error, rv, gone, doing);
}

static gboolean
ensure_session (ZidToken    *self,
                const char  *doing,
                GError     **error)
{
  CK_RV rv;

  if (self->has_session)
    return TRUE;
  rv = self->module->C_OpenSession (self->slot, CKF_SERIAL_SESSION, NULL, NULL, &self->session);
  if (rv != CKR_OK)
    {
      set_error (self, error, rv, doing);
      return FALSE;
    }
  self->has_session = TRUE;
  self->logged_in = FALSE;
  return TRUE;
}

static GBytes *
get_attribute (ZidToken          *self,
               CK_OBJECT_HANDLE   object,
               CK_ATTRIBUTE_TYPE  type,
               CK_RV             *rv)
{
  CK_ATTRIBUTE attr = { type, NULL, 0 };
  guint8 *buf;

  *rv = self->module->C_GetAttributeValue (self->session, object, &attr, 1);
  if (*rv != CKR_OK || attr.ulValueLen == (CK_ULONG) -1 || attr.ulValueLen > 64 * 1024)
    return NULL;
  buf = g_malloc (attr.ulValueLen + 1);
  attr.pValue = buf;
  *rv = self->module->C_GetAttributeValue (self->session, object, &attr, 1);
  if (*rv != CKR_OK)
    {
      g_free (buf);
      return NULL;
    }
  return g_bytes_new_take (buf, attr.ulValueLen);
}

/* Find objects matching templ (at most max) */
static CK_RV
find_objects (ZidToken          *self,
              CK_ATTRIBUTE      *templ,
              CK_ULONG           n_templ,
              CK_OBJECT_HANDLE  *objects,
              CK_ULONG           max,
              CK_ULONG          *n_found)
{
  CK_RV rv;

  *n_found = 0;
  rv = self->module->C_FindObjectsInit (self->session, templ, n_templ);
  if (rv != CKR_OK)
    return rv;
  rv = self->module->C_FindObjects (self->session, objects, max, n_found);
  self->module->C_FindObjectsFinal (self->session);
  return rv;
}

gboolean
zid_token_load_certificates (ZidToken      *self,
                             GCancellable  *cancellable,
                             GError       **error)
{
  const ZidCardConfig *config = zid_pkcs11_get_config (self->owner);
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_ATTRIBUTE templ[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_CERTIFICATE_TYPE, &type, sizeof type },
  };
  CK_OBJECT_HANDLE objects[32];
  CK_ULONG n = 0;
  CK_RV rv;
  gboolean ok = FALSE;

  zid_pkcs11_lock (self->owner);
  g_ptr_array_set_size (self->certs, 0);
  if (!ensure_session (self, _("reading"), error))
    goto out;
  rv = find_objects (self, templ, G_N_ELEMENTS (templ), objects, G_N_ELEMENTS (objects), &n);
  if (rv != CKR_OK)
    {
      set_error (self, error, rv, _("reading"));
      goto out;
    }
  for (CK_ULONG i = 0; i < n; i++)
    {
      ZidTokenCertificate *cert;
      g_autoptr(GBytes) label = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      cert = g_new0 (ZidTokenCertificate, 1);
      g_atomic_ref_count_init (&cert->ref_count);
      cert->der = get_attribute (self, objects[i], CKA_VALUE, &rv);
      if (cert->der == NULL)
        {
          zid_token_certificate_unref (cert);
          set_error (self, error, rv, _("reading"));
          goto out;
        }
      cert->id = get_attribute (self, objects[i], CKA_ID, &rv);
      if (cert->id == NULL)
        cert->id = g_bytes_new (NULL, 0);
      label = get_attribute (self, objects[i], CKA_LABEL, &rv);
      if (label != NULL)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (label, &len);
          cert->label = zid_pkcs11_string (data, len);
        }
      else
        cert->label = g_strdup ("");
      cert->identity = zid_uzi_identity_new_from_data (g_bytes_get_data (cert->der, NULL),
                                                       g_bytes_get_size (cert->der),
                                                       config->environment,
                                                       (const char * const *) config->extra_oid_cas,
                                                       &cert->error);
      g_ptr_array_add (self->certs, cert);
    }
  g_debug ("token %s in %s: %u certificates", self->label, self->reader_name, self->certs->len);
  ok = TRUE;

out:
  zid_pkcs11_unlock (self->owner);
  return ok;
}

const char *
zid_token_get_reader_name (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);
  return self->reader_name;
}

gboolean
zid_token_matches_reader (ZidToken   *self,
                          const char *pcsc_reader_name)
{
  gsize len;

  g_return_val_if_fail (ZID_IS_TOKEN (self), FALSE);
  g_return_val_if_fail (pcsc_reader_name != NULL, FALSE);

  /* CK_SLOT_INFO holds 64 bytes: a long reader name is cut off */
  len = strlen (self->reader_name);
  if (len == 0)
    return FALSE;
  if (len < 64 - 4)
    return strcmp (self->reader_name, pcsc_reader_name) == 0;
  return strncmp (self->reader_name, pcsc_reader_name, len) == 0;
}

const char *
zid_token_get_label (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);
  return self->label;
}

const char *
zid_token_get_serial (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);
  return self->serial;
}

const char *
zid_token_get_module_name (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);
  return self->module_name;
}

GPtrArray *
zid_token_get_certificates (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);
  return self->certs;
}

ZidTokenCertificate *
zid_token_find_authentication_certificate (ZidToken  *self,
                                           GError   **error)
{
  const GError *refusal = NULL;

  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);

  for (guint i = 0; i < self->certs->len; i++)
    {
      ZidTokenCertificate *cert = g_ptr_array_index (self->certs, i);

      if (cert->identity != NULL &&
          (zid_uzi_identity_get_purpose (cert->identity) & ZID_UZI_PURPOSE_AUTHENTICATION))
        return zid_token_certificate_ref (cert);
      /* An UZI name that we refuse says more than "unknown card" */
      if (refusal == NULL && cert->error != NULL &&
          cert->error->code >= ZID_CARD_ERROR_UZI_NAME_NOT_IA5 &&
          cert->error->code <= ZID_CARD_ERROR_OID_CA_NOT_ALLOWED)
        refusal = cert->error;
    }
  if (refusal != NULL)
    g_set_error_literal (error, refusal->domain, refusal->code, refusal->message);
  else
    g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_UZI_CERTIFICATE,
                 _("Unknown card: no UZI authentication certificate found"));
  return NULL;
}

static CK_RV
refresh_flags (ZidToken *self)
{
  CK_TOKEN_INFO info;
  CK_RV rv;

  rv = self->module->C_GetTokenInfo (self->slot, &info);
  if (rv == CKR_OK)
    {
      self->flags = info.flags;
      self->min_pin = info.ulMinPinLen;
      self->max_pin = info.ulMaxPinLen;
    }
  return rv;
}

static ZidPinState
pin_state_from_flags (CK_FLAGS flags)
{
  if (flags & CKF_USER_PIN_LOCKED)
    return ZID_PIN_STATE_LOCKED;
  if (flags & CKF_USER_PIN_FINAL_TRY)
    return ZID_PIN_STATE_FINAL_TRY;
  if (flags & CKF_USER_PIN_COUNT_LOW)
    return ZID_PIN_STATE_COUNT_LOW;
  return ZID_PIN_STATE_OK;
}

ZidPinState
zid_token_get_pin_state (ZidToken      *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ZidPinState state = ZID_PIN_STATE_OK;
  CK_RV rv;

  g_return_val_if_fail (ZID_IS_TOKEN (self), ZID_PIN_STATE_OK);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return ZID_PIN_STATE_OK;
  zid_pkcs11_lock (self->owner);
  rv = refresh_flags (self);
  if (rv != CKR_OK)
    set_error (self, error, rv, _("reading"));
  else
    state = pin_state_from_flags (self->flags);
  zid_pkcs11_unlock (self->owner);
  return state;
}

int
zid_token_get_pin_tries_left (ZidToken *self)
{
  g_return_val_if_fail (ZID_IS_TOKEN (self), -1);
  return self->tries_left;
}

static gboolean
pin_len_known (CK_ULONG v)
{
  return v != CK_UNAVAILABLE_INFORMATION && v != CK_EFFECTIVELY_INFINITE;
}

gboolean
zid_token_login (ZidToken      *self,
                 ZidPin        *pin,
                 GCancellable  *cancellable,
                 GError       **error)
{
  CK_FLAGS before;
  gsize len = 0;
  CK_RV rv;
  gboolean ok = FALSE;

  g_return_val_if_fail (ZID_IS_TOKEN (self), FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  zid_pkcs11_lock (self->owner);
  rv = refresh_flags (self);
  if (rv != CKR_OK)
    {
      set_error (self, error, rv, _("logging in"));
      goto out;
    }
  before = self->flags;
  if (before & CKF_USER_PIN_LOCKED)
    {
      self->tries_left = 0;
      zid_pkcs11_set_error (error, CKR_PIN_LOCKED, FALSE, _("logging in"));
      goto out;
    }
  if (pin != NULL)
    len = zid_pin_get_length (pin);
  if (pin == NULL && !(before & CKF_PROTECTED_AUTHENTICATION_PATH))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH, _("No PIN given"));
      goto out;
    }
  if (pin != NULL &&
      ((pin_len_known (self->min_pin) && len < self->min_pin) ||
       (pin_len_known (self->max_pin) && self->max_pin > 0 && len > self->max_pin) ||
       len == 0))
    {
      /* Refused here: a wrong length would cost a try on some cards */
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH,
                   _("The PIN must have %lu to %lu characters"),
                   (unsigned long) self->min_pin, (unsigned long) self->max_pin);
      goto out;
    }
  if (!ensure_session (self, _("logging in"), error))
    goto out;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  rv = self->module->C_Login (self->session, CKU_USER,
                              pin != NULL ? (CK_UTF8CHAR_PTR) zid_pin_get_data (pin) : NULL,
                              (CK_ULONG) len);
  if (rv == CKR_USER_ALREADY_LOGGED_IN)
    {
      /* Logged in before (this process): the PIN must still be proven */
      self->module->C_Logout (self->session);
      rv = self->module->C_Login (self->session, CKU_USER,
                                  pin != NULL ? (CK_UTF8CHAR_PTR) zid_pin_get_data (pin) : NULL,
                                  (CK_ULONG) len);
    }
  if (rv == CKR_OK)
    {
      self->logged_in = TRUE;
      self->tries_left = -1;
      ok = TRUE;
      g_debug ("logged in to %s", self->label);
      goto out;
    }
  if (rv == CKR_PIN_INCORRECT)
    {
      refresh_flags (self);
      if (self->flags & CKF_USER_PIN_LOCKED)
        {
          self->tries_left = 0;
          zid_pkcs11_set_error (error, CKR_PIN_LOCKED, FALSE, _("logging in"));
        }
      else
        {
          if (self->flags & CKF_USER_PIN_FINAL_TRY)
            self->tries_left = 1;
          else if (!(before & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)) &&
                   ZID_UZI_PIN_MAX_TRIES == 3)
            /* From full, one wrong try, and the token does not say "final
             * try" (it would with one left): on a 3-try UZI-pas 2 are left */
            self->tries_left = ZID_UZI_PIN_MAX_TRIES - 1;
          else
            self->tries_left = -1;

          if (self->tries_left == 1)
            g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT,
                         _("Incorrect PIN, 1 try left; after that the PIN is blocked"));
          else if (self->tries_left > 1)
            g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT,
                         _("Incorrect PIN, %d tries left"), self->tries_left);
          else
            g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT,
                         _("Incorrect PIN; note: after too many tries the PIN is blocked"));
        }
      goto out;
    }
  if (rv == CKR_PIN_LOCKED)
    self->tries_left = 0;
  set_error (self, error, rv, _("logging in"));

out:
  zid_pkcs11_unlock (self->owner);
  return ok;
}

void
zid_token_logout (ZidToken *self)
{
  g_return_if_fail (ZID_IS_TOKEN (self));

  zid_pkcs11_lock (self->owner);
  if (self->has_session && self->logged_in)
    self->module->C_Logout (self->session);
  self->logged_in = FALSE;
  zid_pkcs11_unlock (self->owner);
}

/* r||s (PKCS#11) to a DER ECDSA-Sig-Value (OpenSSL) */
static guint8 *
ecdsa_raw_to_der (const guint8 *sig,
                  gsize         len,
                  int          *der_len)
{
  ECDSA_SIG *s = ECDSA_SIG_new ();
  unsigned char *der = NULL;
  BIGNUM *r, *ss;

  if (s == NULL || len == 0 || len % 2 != 0)
    {
      ECDSA_SIG_free (s);
      return NULL;
    }
  r = BN_bin2bn (sig, (int) (len / 2), NULL);
  ss = BN_bin2bn (sig + len / 2, (int) (len / 2), NULL);
  if (r == NULL || ss == NULL || ECDSA_SIG_set0 (s, r, ss) != 1)
    {
      BN_free (r);
      BN_free (ss);
      ECDSA_SIG_free (s);
      return NULL;
    }
  *der_len = i2d_ECDSA_SIG (s, &der);
  ECDSA_SIG_free (s);
  return *der_len > 0 ? der : NULL;
}

static gboolean
verify_signature (EVP_PKEY     *pub,
                  const guint8 *hash,
                  const guint8 *sig,
                  gsize         sig_len)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (pub, NULL);
  gboolean ok = FALSE;

  if (ctx == NULL || EVP_PKEY_verify_init (ctx) != 1 ||
      EVP_PKEY_CTX_set_signature_md (ctx, EVP_sha256 ()) != 1)
    goto out;

  if (EVP_PKEY_get_base_id (pub) == EVP_PKEY_RSA)
    {
      if (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) != 1)
        goto out;
      ok = EVP_PKEY_verify (ctx, sig, sig_len, hash, 32) == 1;
    }
  else
    {
      int der_len = 0;
      guint8 *der = ecdsa_raw_to_der (sig, sig_len, &der_len);
      if (der != NULL)
        ok = EVP_PKEY_verify (ctx, der, (size_t) der_len, hash, 32) == 1;
      OPENSSL_free (der);
    }

out:
  EVP_PKEY_CTX_free (ctx);
  ERR_clear_error ();
  return ok;
}

gboolean
zid_token_prove_possession (ZidToken             *self,
                            ZidTokenCertificate  *cert,
                            GCancellable         *cancellable,
                            GError              **error)
{
  static const guint8 sha256_prefix[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
  };
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE templ[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_ID, NULL, 0 },
  };
  CK_OBJECT_HANDLE key;
  CK_MECHANISM mech = { 0, NULL, 0 };
  CK_ULONG n = 0, sig_len;
  CK_RV rv;
  guint8 challenge[32], hash[32], data[sizeof sha256_prefix + 32], sig[1024];
  gsize data_len;
  X509 *x509 = NULL;
  EVP_PKEY *pub;
  gsize id_len;
  gboolean ok = FALSE;

  g_return_val_if_fail (ZID_IS_TOKEN (self), FALSE);
  g_return_val_if_fail (cert != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  x509 = zid_uzi_load_x509 (g_bytes_get_data (cert->der, NULL), g_bytes_get_size (cert->der), error);
  if (x509 == NULL)
    return FALSE;
  pub = X509_get0_pubkey (x509);
  if (pub == NULL || (EVP_PKEY_get_base_id (pub) != EVP_PKEY_RSA &&
                      EVP_PKEY_get_base_id (pub) != EVP_PKEY_EC))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_UZI_CERTIFICATE,
                   _("The certificate's key type is not supported"));
      goto out_free;
    }

  if (RAND_bytes (challenge, sizeof challenge) != 1 ||
      EVP_Digest (challenge, sizeof challenge, hash, NULL, EVP_sha256 (), NULL) != 1)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_FAILED, _("No random challenge"));
      goto out_free;
    }
  if (EVP_PKEY_get_base_id (pub) == EVP_PKEY_RSA)
    {
      mech.mechanism = CKM_RSA_PKCS;
      memcpy (data, sha256_prefix, sizeof sha256_prefix);
      memcpy (data + sizeof sha256_prefix, hash, sizeof hash);
      data_len = sizeof sha256_prefix + sizeof hash;
    }
  else
    {
      mech.mechanism = CKM_ECDSA;
      memcpy (data, hash, sizeof hash);
      data_len = sizeof hash;
    }

  zid_pkcs11_lock (self->owner);
  if (!ensure_session (self, _("signing"), error))
    goto out;
  templ[1].pValue = (void *) g_bytes_get_data (cert->id, &id_len);
  templ[1].ulValueLen = id_len;
  rv = find_objects (self, templ, G_N_ELEMENTS (templ), &key, 1, &n);
  if (rv != CKR_OK)
    {
      set_error (self, error, rv, _("signing"));
      goto out;
    }
  if (n == 0)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_UZI_CERTIFICATE,
                   _("No key for the authentication certificate \"%s\""), cert->label);
      goto out;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  rv = self->module->C_SignInit (self->session, &mech, key);
  if (rv == CKR_OK)
    {
      sig_len = sizeof sig;
      rv = self->module->C_Sign (self->session, data, (CK_ULONG) data_len, sig, &sig_len);
    }
  if (rv == CKR_USER_NOT_LOGGED_IN)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_TOKEN,
                   _("Not logged in to the card; enter the PIN first"));
      goto out;
    }
  if (rv != CKR_OK)
    {
      set_error (self, error, rv, _("signing"));
      goto out;
    }
  if (!verify_signature (pub, hash, sig, sig_len))
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_SIGNATURE_INVALID,
                   _("The card's signature does not match the certificate"));
      goto out;
    }
  g_debug ("proof of possession by %s: %lu-byte signature verified", self->label, (unsigned long) sig_len);
  ok = TRUE;

out:
  zid_pkcs11_unlock (self->owner);
out_free:
  X509_free (x509);
  explicit_bzero (challenge, sizeof challenge);
  return ok;
}

ZidUziIdentity *
zid_token_verify (ZidToken      *self,
                  ZidPin        *pin,
                  GCancellable  *cancellable,
                  GPtrArray    **out_chain,
                  GError       **error)
{
  const ZidCardConfig *config;
  g_autoptr(ZidTokenCertificate) cert = NULL;
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) intermediates = NULL;

  g_return_val_if_fail (ZID_IS_TOKEN (self), NULL);

  config = zid_pkcs11_get_config (self->owner);
  cert = zid_token_find_authentication_certificate (self, error);
  if (cert == NULL)
    return NULL;
  if (!zid_uzi_identity_check_validity (cert->identity, NULL, error) ||
      !zid_uzi_identity_check_purpose (cert->identity, ZID_UZI_PURPOSE_AUTHENTICATION, error))
    return NULL;
  if (!zid_token_login (self, pin, cancellable, error))
    return NULL;
  if (!zid_token_prove_possession (self, cert, cancellable, error))
    return NULL;

  if (zid_card_config_has_trust (config))
    {
      g_auto(GStrv) dirs = zid_card_config_dup_trust_dirs (config);
      /* an override folder must exist; the environment's may not yet */
      gboolean override = config->trust_dir != NULL && *config->trust_dir != '\0';

      /* Other certificates on the card may be intermediates */
      intermediates = g_ptr_array_new ();
      for (guint i = 0; i < self->certs->len; i++)
        {
          ZidTokenCertificate *c = g_ptr_array_index (self->certs, i);
          if (c != cert && c->identity != NULL)
            g_ptr_array_add (intermediates, zid_uzi_identity_get_x509 (c->identity));
        }
      if (!zid_uzi_identity_validate_chain_dirs (cert->identity, (const char * const *) dirs,
                                                 !override, intermediates, NULL, &chain, error))
        return NULL;
    }
  else
    {
      chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (chain, g_bytes_ref (cert->der));
    }

  if (out_chain != NULL)
    *out_chain = g_steal_pointer (&chain);
  return g_object_ref (cert->identity);
}
