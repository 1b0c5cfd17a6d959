/* zid-pin-counter-shim.c — a PKCS#11 module that forwards to SoftHSM2 and
 * adds the PIN retry counter SoftHSM2 lacks (test fixture only)
 *
 * SoftHSM2 never blocks a PIN. A UZI-pas blocks it after 3 wrong tries and
 * says so in its token flags. This shim counts wrong C_Login attempts per
 * process: after the first CKF_USER_PIN_COUNT_LOW, with one left
 * CKF_USER_PIN_FINAL_TRY, the third wrong one answers CKR_PIN_LOCKED (as
 * OpenSC does with a real card) and from then on every login is refused
 * with CKR_PIN_LOCKED and CKF_USER_PIN_LOCKED is set.
 *
 * ZID_PIN_COUNTER_TARGET names the real module (default SoftHSM2).
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define MAX_TRIES 3

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR real;
static int tries = MAX_TRIES;

static CK_RV
shim_login (CK_SESSION_HANDLE session,
            CK_USER_TYPE      user,
            CK_UTF8CHAR_PTR   pin,
            CK_ULONG          len)
{
  CK_RV rv;

  if (user != CKU_USER)
    return real->C_Login (session, user, pin, len);
  if (tries == 0)
    return CKR_PIN_LOCKED;
  rv = real->C_Login (session, user, pin, len);
  if (rv == CKR_PIN_INCORRECT)
    {
      tries--;
      if (tries == 0)
        return CKR_PIN_LOCKED;
    }
  else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
    tries = MAX_TRIES;
  return rv;
}

static CK_RV
shim_get_token_info (CK_SLOT_ID         slot,
                     CK_TOKEN_INFO_PTR  info)
{
  CK_RV rv = real->C_GetTokenInfo (slot, info);

  if (rv == CKR_OK)
    {
      info->flags &= ~(CK_FLAGS) (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
      if (tries < MAX_TRIES)
        info->flags |= CKF_USER_PIN_COUNT_LOW;
      if (tries == 1)
        info->flags |= CKF_USER_PIN_FINAL_TRY;
      if (tries == 0)
        info->flags |= CKF_USER_PIN_LOCKED;
    }
  return rv;
}


CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  const char *target = getenv ("ZID_PIN_COUNTER_TARGET");
  CK_RV (*get) (CK_FUNCTION_LIST_PTR_PTR);
  void *handle;
  CK_RV rv;

  if (real == NULL)
    {
      handle = dlopen (target != NULL ? target : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
      if (handle == NULL)
        return CKR_GENERAL_ERROR;
      get = (CK_RV (*) (CK_FUNCTION_LIST_PTR_PTR)) dlsym (handle, "C_GetFunctionList");
      if (get == NULL)
        return CKR_GENERAL_ERROR;
      rv = get (&real);
      if (rv != CKR_OK)
        return rv;
      memcpy (&shim, real, sizeof shim);
      shim.C_Login = shim_login;
      shim.C_GetTokenInfo = shim_get_token_info;
      shim.C_GetFunctionList = C_GetFunctionList;
    }
  *list = &shim;
  return CKR_OK;
}
