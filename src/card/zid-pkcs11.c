/* zid-pkcs11.c — PKCS#11 modules through p11-kit */
#define G_LOG_DOMAIN "zid-card"

#include "zid-pkcs11-private.h"

#include <stdlib.h>
#include <string.h>

#include "zid-card-error.h"
#include "zid-i18n.h"

typedef struct
{
  CK_FUNCTION_LIST *funcs;
  char *name;
  char *path;
} Module;

struct _ZidPkcs11
{
  GObject parent_instance;

  /* owned */
  ZidCardConfig *config;
  CK_FUNCTION_LIST **registered; /* NULL-terminated, from p11-kit */
  CK_FUNCTION_LIST *configured;  /* the configured module path */
  GArray *modules;               /* Module: every module to use */
  GPtrArray *load_failures;      /* char *, NULL-terminated */
  GRecMutex lock;
};

G_DEFINE_FINAL_TYPE (ZidPkcs11, zid_pkcs11, G_TYPE_OBJECT)

static void
module_clear (gpointer data)
{
  Module *m = data;
  g_free (m->name);
  g_free (m->path);
}

static void
zid_pkcs11_finalize (GObject *object)
{
  ZidPkcs11 *self = ZID_PKCS11 (object);

  g_clear_pointer (&self->modules, g_array_unref);
  if (self->configured != NULL)
    {
      p11_kit_module_finalize (self->configured);
      p11_kit_module_release (self->configured);
    }
  if (self->registered != NULL)
    p11_kit_modules_finalize_and_release (self->registered);
  g_clear_pointer (&self->load_failures, g_ptr_array_unref);
  g_clear_pointer (&self->config, zid_card_config_free);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (zid_pkcs11_parent_class)->finalize (object);
}

static void
zid_pkcs11_class_init (ZidPkcs11Class *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zid_pkcs11_finalize;
}

static void
zid_pkcs11_init (ZidPkcs11 *self)
{
  g_rec_mutex_init (&self->lock);
  self->modules = g_array_new (FALSE, TRUE, sizeof (Module));
  g_array_set_clear_func (self->modules, module_clear);
  self->load_failures = g_ptr_array_new_with_free_func (g_free);
}

void
zid_pkcs11_lock (ZidPkcs11 *self)
{
  g_rec_mutex_lock (&self->lock);
}

void
zid_pkcs11_unlock (ZidPkcs11 *self)
{
  g_rec_mutex_unlock (&self->lock);
}

static char *
real_path (const char *path)
{
  char *r;
  char *ret;

  if (path == NULL)
    return NULL;
  r = realpath (path, NULL);
  if (r == NULL)
    return g_strdup (path);
  ret = g_strdup (r);
  free (r);
  return ret;
}

static void
add_module (ZidPkcs11        *self,
            CK_FUNCTION_LIST *funcs)
{
  Module m = { 0 };
  char *name = p11_kit_module_get_name (funcs);
  char *path = p11_kit_module_get_filename (funcs);
  g_autofree char *described = NULL;

  m.funcs = funcs;
  m.path = real_path (path);
  m.name = g_strdup (name != NULL ? name : m.path != NULL ? m.path : "unnamed module");
  free (name);
  free (path);
  described = zid_pkcs11_describe_module (m.name, m.path);
  g_debug ("PKCS#11 module %s", described);
  g_array_append_val (self->modules, m);
}

ZidPkcs11 *
zid_pkcs11_new (const ZidCardConfig  *config,
                GError              **error)
{
  g_autoptr(ZidPkcs11) self = NULL;
  g_autofree char *configured_path = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ZID_TYPE_PKCS11, NULL);
  self->config = zid_card_config_copy (config);

  if (config->module_path != NULL)
    {
      CK_RV rv;

      configured_path = real_path (config->module_path);
      self->configured = p11_kit_module_load (config->module_path, 0);
      if (self->configured == NULL)
        {
          const char *why = p11_kit_message ();
          g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED,
                       _("The PKCS#11 module %s cannot be loaded: %s"),
                       config->module_path, why != NULL ? why : _("unknown error"));
          return NULL;
        }
      rv = p11_kit_module_initialize (self->configured);
      if (rv != CKR_OK)
        {
          const char *why = p11_kit_message ();
          p11_kit_module_release (self->configured);
          self->configured = NULL;
          g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED,
                       _("The PKCS#11 module %s cannot be started: %s (%s)"),
                       config->module_path, zid_pkcs11_rv_name (rv),
                       why != NULL ? why : _("no explanation"));
          return NULL;
        }
      add_module (self, self->configured);
    }

  if (config->load_registered)
    {
      self->registered = p11_kit_modules_load_and_initialize (0);
      if (self->registered == NULL)
        {
          const char *why = p11_kit_message ();
          g_ptr_array_add (self->load_failures,
                           g_strdup_printf ("p11-kit: %s", why != NULL ? why : _("unknown error")));
        }
      for (guint i = 0; self->registered != NULL && self->registered[i] != NULL; i++)
        {
          char *path = p11_kit_module_get_filename (self->registered[i]);
          g_autofree char *rp = real_path (path);
          free (path);
          /* The configured module may also be registered: use it once */
          if (configured_path != NULL && g_strcmp0 (rp, configured_path) == 0)
            continue;
          add_module (self, self->registered[i]);
        }
    }

  if (self->modules->len == 0)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_MODULE_LOAD_FAILED,
                   _("No PKCS#11 module loaded; set the module of the card software (for example "
                     "libaetpkss.so.3 for the UZI-pas)"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

const ZidCardConfig *
zid_pkcs11_get_config (ZidPkcs11 *self)
{
  g_return_val_if_fail (ZID_IS_PKCS11 (self), NULL);
  return self->config;
}

char *
zid_pkcs11_describe_module (const char *name,
                            const char *path)
{
  g_return_val_if_fail (name != NULL, NULL);
  /* p11-kit's remote client has no file of its own */
  if (path == NULL)
    return g_strdup_printf (_("%s (forwarded from the host via p11-kit)"), name);
  return g_strdup_printf ("%s (%s)", name, path);
}

GStrv
zid_pkcs11_get_module_names (ZidPkcs11 *self)
{
  GPtrArray *names;

  g_return_val_if_fail (ZID_IS_PKCS11 (self), NULL);
  names = g_ptr_array_new ();
  for (guint i = 0; i < self->modules->len; i++)
    {
      Module *m = &g_array_index (self->modules, Module, i);
      g_ptr_array_add (names, zid_pkcs11_describe_module (m->name, m->path));
    }
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

const char * const *
zid_pkcs11_get_load_failures (ZidPkcs11 *self)
{
  g_return_val_if_fail (ZID_IS_PKCS11 (self), NULL);
  if (self->load_failures->len == 0 || g_ptr_array_index (self->load_failures, self->load_failures->len - 1) != NULL)
    g_ptr_array_add (self->load_failures, NULL);
  return (const char * const *) self->load_failures->pdata;
}

GPtrArray *
zid_pkcs11_list_tokens (ZidPkcs11     *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GPtrArray) tokens = NULL;

  g_return_val_if_fail (ZID_IS_PKCS11 (self), NULL);

  tokens = g_ptr_array_new_with_free_func (g_object_unref);
  zid_pkcs11_lock (self);
  for (guint i = 0; i < self->modules->len; i++)
    {
      Module *m = &g_array_index (self->modules, Module, i);
      g_autofree CK_SLOT_ID *slots = NULL;
      CK_ULONG n_slots = 0;
      CK_RV rv;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;

      rv = m->funcs->C_GetSlotList (CK_TRUE, NULL, &n_slots);
      if (rv == CKR_OK && n_slots > 0)
        {
          slots = g_new0 (CK_SLOT_ID, n_slots);
          rv = m->funcs->C_GetSlotList (CK_TRUE, slots, &n_slots);
        }
      if (rv != CKR_OK)
        {
          g_debug ("%s: C_GetSlotList: %s", m->name, zid_pkcs11_rv_name (rv));
          continue;
        }

      for (CK_ULONG s = 0; s < n_slots; s++)
        {
          CK_SLOT_INFO slot_info;
          CK_TOKEN_INFO token_info;
          g_autoptr(ZidToken) token = NULL;
          g_autoptr(GError) local_error = NULL;

          if (m->funcs->C_GetSlotInfo (slots[s], &slot_info) != CKR_OK ||
              !(slot_info.flags & CKF_TOKEN_PRESENT))
            continue;
          rv = m->funcs->C_GetTokenInfo (slots[s], &token_info);
          if (rv != CKR_OK)
            {
              g_debug ("%s: slot %lu: C_GetTokenInfo: %s", m->name,
                       (unsigned long) slots[s], zid_pkcs11_rv_name (rv));
              continue;
            }
          token = zid_token_new (self, m->funcs, m->name, slots[s], &slot_info, &token_info);
          if (!zid_token_load_certificates (token, cancellable, &local_error))
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  goto fail;
                }
              /* Pulled out while we read it: it is not there */
              g_debug ("%s: slot %lu: %s", m->name, (unsigned long) slots[s], local_error->message);
              continue;
            }
          g_ptr_array_add (tokens, g_steal_pointer (&token));
        }
    }
  zid_pkcs11_unlock (self);
  return g_steal_pointer (&tokens);

fail:
  zid_pkcs11_unlock (self);
  return NULL;
}

ZidToken *
zid_pkcs11_find_uzi_token (ZidPkcs11     *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (ZID_IS_PKCS11 (self), NULL);

  tokens = zid_pkcs11_list_tokens (self, cancellable, error);
  if (tokens == NULL)
    return NULL;
  if (tokens->len == 0)
    {
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_NO_CARD,
                   _("No card found; put the UZI-pas in the card reader"));
      return NULL;
    }
  for (guint i = 0; i < tokens->len; i++)
    {
      ZidToken *token = g_ptr_array_index (tokens, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(ZidTokenCertificate) cert = NULL;

      cert = zid_token_find_authentication_certificate (token, &local_error);
      if (cert != NULL)
        return g_object_ref (token);
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  g_propagate_error (error, g_steal_pointer (&first_error));
  return NULL;
}

/* --- errors --------------------------------------------------------------- */

const char *
zid_pkcs11_rv_name (CK_RV rv)
{
  switch (rv)
    {
#define RV(x) case x: return #x;
    RV (CKR_OK) RV (CKR_CANCEL) RV (CKR_HOST_MEMORY) RV (CKR_SLOT_ID_INVALID)
    RV (CKR_GENERAL_ERROR) RV (CKR_FUNCTION_FAILED) RV (CKR_ARGUMENTS_BAD)
    RV (CKR_CANT_LOCK) RV (CKR_DEVICE_ERROR) RV (CKR_DEVICE_MEMORY)
    RV (CKR_DEVICE_REMOVED) RV (CKR_FUNCTION_CANCELED) RV (CKR_FUNCTION_NOT_SUPPORTED)
    RV (CKR_KEY_HANDLE_INVALID) RV (CKR_KEY_TYPE_INCONSISTENT) RV (CKR_MECHANISM_INVALID)
    RV (CKR_MECHANISM_PARAM_INVALID) RV (CKR_OBJECT_HANDLE_INVALID)
    RV (CKR_OPERATION_ACTIVE) RV (CKR_OPERATION_NOT_INITIALIZED) RV (CKR_PIN_INCORRECT)
    RV (CKR_PIN_INVALID) RV (CKR_PIN_LEN_RANGE) RV (CKR_PIN_EXPIRED) RV (CKR_PIN_LOCKED)
    RV (CKR_SESSION_CLOSED) RV (CKR_SESSION_COUNT) RV (CKR_SESSION_HANDLE_INVALID)
    RV (CKR_TOKEN_NOT_PRESENT) RV (CKR_TOKEN_NOT_RECOGNIZED) RV (CKR_USER_ALREADY_LOGGED_IN)
    RV (CKR_USER_NOT_LOGGED_IN) RV (CKR_USER_PIN_NOT_INITIALIZED) RV (CKR_USER_TYPE_INVALID)
    RV (CKR_DATA_LEN_RANGE) RV (CKR_BUFFER_TOO_SMALL) RV (CKR_CRYPTOKI_NOT_INITIALIZED)
    RV (CKR_CRYPTOKI_ALREADY_INITIALIZED) RV (CKR_ATTRIBUTE_TYPE_INVALID)
    RV (CKR_ATTRIBUTE_SENSITIVE) RV (CKR_TEMPLATE_INCOMPLETE)
#undef RV
    default:
      return _("CKR_(unknown)");
    }
}

void
zid_pkcs11_set_error (GError     **error,
                      CK_RV        rv,
                      gboolean     card_gone,
                      const char  *doing)
{
  switch (rv)
    {
    case CKR_PIN_LOCKED:
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LOCKED,
                   _("PIN blocked; the UZI-pas must be unblocked"));
      return;
    case CKR_PIN_LEN_RANGE:
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_LENGTH,
                   _("The PIN does not have the right number of characters"));
      return;
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
      g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_PIN_INCORRECT, _("Incorrect PIN"));
      return;
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_DEVICE_REMOVED:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_SLOT_ID_INVALID:
      card_gone = TRUE;
      break;
    default:
      break;
    }
  if (card_gone)
    g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_CARD_REMOVED,
                 _("Card removed while %s"), doing);
  else
    g_set_error (error, ZID_CARD_ERROR, ZID_CARD_ERROR_TOKEN,
                 _("Card error while %s (%s)"), doing, zid_pkcs11_rv_name (rv));
}

char *
zid_pkcs11_string (const CK_UTF8CHAR *s,
                   gsize              len)
{
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\0'))
    len--;
  return g_utf8_make_valid ((const char *) s, (gssize) len);
}
