/* zid-uzi-roles.c — the names of the UZI role codes */
#include "zid-uzi-roles.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  const char *code;
  const char *name;
} ZidUziRole;

#include "zid-uzi-roles-table.h"

static int
compare_role (const void *key,
              const void *item)
{
  return strcmp (key, ((const ZidUziRole *) item)->code);
}

static const char *
lookup (const char *code)
{
  const ZidUziRole *role = bsearch (code, uzi_roles, G_N_ELEMENTS (uzi_roles),
                                    sizeof uzi_roles[0], compare_role);

  return role ? role->name : NULL;
}

const char *
zid_uzi_role_name (const char *code)
{
  char profession[7];
  const char *name;

  if (code == NULL || strlen (code) != 6 || code[2] != '.')
    return NULL;
  if ((name = lookup (code)) != NULL)
    return name;
  memcpy (profession, code, 3);
  memcpy (profession + 3, "000", 4);
  return lookup (profession);
}

char *
zid_uzi_role_describe (const char *code)
{
  const char *name = zid_uzi_role_name (code);

  if (name == NULL)
    return g_strdup (code ? code : "");
  return g_strdup_printf ("%s (%s)", name, code);
}
