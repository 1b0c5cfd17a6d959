/* zid-admin.c — zorgid-admin, the portal's command line
 *
 * For scripting, operators and tests. Exit status: 0 done; 1 refused by a
 * rule (the message names the rule); 2 bad usage or bad input. With --json
 * the answer (or {"error": CODE, "message": TEXT}) goes to stdout.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "zid-core.h"
#include "zid-json.h"
#include "zid-qr-png.h"
#ifdef ZID_HAVE_CLI_CARD
# include "zid-cli-card.h"
#endif
#ifdef ZID_HAVE_CLI_SERVICE
# include "zid-cli-service.h"
#endif
#ifdef ZID_HAVE_CLI_REGISTRATION
# include "zid-cli-registration.h"
#endif

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

typedef struct
{
  char           *data_dir;
  char           *environment_name;
  ZidEnvironment  environment;
  gboolean        json;
  ZidPortal      *portal;
} Globals;

static Globals globals;

/* Output */

static int
print_json (ZidJson *json)
{
  g_autofree char *text = zid_json_finish (json);

  fputs (text, stdout);
  return EXIT_DONE;
}

/* One JSON object on stdout */
static void
json_begin (ZidJson *json)
{
  zid_json_init (json);
  zid_json_begin_object (json, NULL);
}

static int
json_end (ZidJson *json)
{
  zid_json_end_object (json);
  return print_json (json);
}

static int
fail (const GError *error)
{
  int status = zid_error_exit_status (error);
  const char *code = error->domain == ZID_ERROR ? zid_error_code_name (error->code) : "error";

  if (globals.json)
    {
      ZidJson json;

      json_begin (&json);
      zid_json_string (&json, "error", code);
      zid_json_string (&json, "message", error->message);
      json_end (&json);
    }
  g_printerr ("zorgid-admin: %s\n", error->message);
  return status;
}

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (ZID_ERROR, ZID_ERROR_INVALID_INPUT, format, args);
  va_end (args);
  return fail (error);
}


static char *
format_time_local (gint64 t)
{
  g_autoptr(GDateTime) dt = NULL;

  if (t == 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (t);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

/* Options */

typedef struct
{
  GOptionContext *context;
  int             argc;
  char          **argv;
} Args;

static gboolean
parse_args (const char     *command,
            GOptionEntry   *entries,
            int            *argc,
            char         ***argv,
            int             min_positional,
            int             max_positional)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);
  if (entries)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error ("%s", error->message);
      return FALSE;
    }
  /* (*argv)[0] is the command itself */
  if (*argc - 1 < min_positional || *argc - 1 > max_positional)
    {
      usage_error ("Verkeerd aantal argumenten voor “%s”; zie --help", command);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_id (const char  *text,
          const char  *what,
          gint64      *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      usage_error ("Ongeldige %s “%s”: verwacht een nummer", what, text ? text : "");
      return FALSE;
    }
  *id = (gint64) value;
  return TRUE;
}

static gboolean
need_actor (const char *as,
            gint64     *actor)
{
  if (as == NULL)
    {
      usage_error ("Geef met --as GEBRUIKER aan namens wie u handelt");
      return FALSE;
    }
  return parse_id (as, "gebruiker bij --as", actor);
}

static gboolean
resolve_organisation (const char *ura,
                      gint64     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOrganisation) o = NULL;

  if (ura == NULL)
    {
      usage_error ("Geef de organisatie met --organisation URA");
      return FALSE;
    }
  o = zid_portal_find_organisation (globals.portal, ura, &error);
  if (o == NULL)
    {
      fail (error);
      return FALSE;
    }
  *id = o->id;
  return TRUE;
}

/* Shared output of the commands that hand out a one-time code */

static int
print_enrolment (ZidEnrolment *enrolment,
                 ZidQrPng     *png)
{
  g_autofree char *expires = zid_format_time (enrolment->expires);

  zid_qr_png_finish (png, enrolment->payload);

  if (globals.json)
    {
      ZidJson json;

      json_begin (&json);
      zid_json_int (&json, "user", enrolment->user_id);
      zid_json_string (&json, "enrolment_payload", enrolment->payload);
      zid_json_string (&json, "expires", expires);
      return json_end (&json);
    }

  g_print ("Gebruiker: %" G_GINT64_FORMAT "\n", enrolment->user_id);
  g_print ("QR-code (eenmalig, geldig tot %s):\n%s\n", expires, enrolment->payload);
  return EXIT_DONE;
}

static void
json_user (ZidJson    *json,
           const char *key,
           ZidUser    *user)
{
  GPtrArray *memberships = zid_user_get_memberships (user);

  zid_json_begin_object (json, key);
  zid_json_int (json, "id", zid_user_get_id (user));
  zid_json_string (json, "first_name", zid_user_get_first_name (user));
  zid_json_string (json, "last_name", zid_user_get_last_name (user));
  zid_json_string (json, "birth_date", zid_user_get_birth_date (user));
  zid_json_string (json, "status", zid_user_get_blocked (user) ? "blocked" : "active");
  zid_json_string (json, "block_reason",
                   zid_user_get_blocked (user)
                     ? zid_block_reason_to_string (zid_user_get_block_reason (user)) : NULL);
  zid_json_string (json, "mobile_id", zid_mobile_id_state_to_string (zid_user_get_mobile_id (user)));
  zid_json_time (json, "registered", zid_user_get_registered (user));
  zid_json_time (json, "last_use", zid_user_get_last_use (user));
  zid_json_begin_array (json, "memberships");
  for (guint i = 0; i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      zid_json_begin_object (json, NULL);
      zid_json_string (json, "organisation", m->ura);
      zid_json_string (json, "organisation_name", m->organisation_name);
      zid_json_string (json, "role", zid_role_to_string (m->role));
      zid_json_end_object (json);
    }
  zid_json_end_array (json);
  zid_json_end_object (json);
}

static void
print_user_line (ZidUser *user)
{
  GPtrArray *memberships = zid_user_get_memberships (user);
  g_autoptr(GString) roles = g_string_new (NULL);
  g_autofree char *last_use = format_time_local (zid_user_get_last_use (user));

  for (guint i = 0; i < memberships->len; i++)
    {
      ZidMembership *m = g_ptr_array_index (memberships, i);

      g_string_append_printf (roles, "%s%s (%s)", i ? ", " : "", m->organisation_name,
                              zid_role_to_string (m->role));
    }
  g_print ("%6" G_GINT64_FORMAT "  %-30s %s  %-11s %-8s %-16s %s\n",
           zid_user_get_id (user), zid_user_get_display_name (user),
           zid_user_get_birth_date (user),
           zid_user_get_blocked (user) ? "geblokkeerd" : "actief",
           zid_mobile_id_state_to_string (zid_user_get_mobile_id (user)),
           last_use, roles->str);
}

static int
print_users (GPtrArray *users)
{
  if (globals.json)
    {
      ZidJson json;

      json_begin (&json);
      zid_json_begin_array (&json, "users");
      for (guint i = 0; i < users->len; i++)
        json_user (&json, NULL, g_ptr_array_index (users, i));
      zid_json_end_array (&json);
      return json_end (&json);
    }
  for (guint i = 0; i < users->len; i++)
    print_user_line (g_ptr_array_index (users, i));
  return EXIT_DONE;
}

/* registration */

static int
cmd_registration (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";

  if (g_str_equal (sub, "add"))
    {
      g_autofree char *ura = NULL, *name = NULL, *agb = NULL, *address = NULL, *reference = NULL;
      GOptionEntry entries[] = {
        { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, "URA of the organisation", "N" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Name of the organisation", "TEXT" },
        { "agb", 0, 0, G_OPTION_ARG_STRING, &agb, "AGB code", "N" },
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Address", "TEXT" },
        { "reference", 0, 0, G_OPTION_ARG_STRING, &reference, "Operator reference", "TEXT" },
        { NULL }
      };
      gint64 id;

      argc--, argv++;
      if (!parse_args ("registration add", entries, &argc, &argv, 0, 0))
        return EXIT_USAGE;
      if (name == NULL)
        return usage_error ("Geef de naam van de organisatie met --name");
      id = zid_portal_add_registration (globals.portal, ura, name, agb, address, reference, &error);
      if (id == 0)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_int (&json, "registration", id);
          zid_json_string (&json, "ura", ura);
          return json_end (&json);
        }
      g_print ("Registratie %" G_GINT64_FORMAT " voor URA %s klaargezet\n", id, ura);
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "list"))
    {
      gboolean all = FALSE;
      GOptionEntry entries[] = {
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Include completed registrations", NULL },
        { NULL }
      };
      g_autoptr(GPtrArray) list = NULL;

      argc--, argv++;
      if (!parse_args ("registration list", entries, &argc, &argv, 0, 0))
        return EXIT_USAGE;
      if ((list = zid_portal_list_registrations (globals.portal, all, &error)) == NULL)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_begin_array (&json, "registrations");
          for (guint i = 0; i < list->len; i++)
            {
              ZidRegistration *r = g_ptr_array_index (list, i);

              zid_json_begin_object (&json, NULL);
              zid_json_string (&json, "ura", r->ura);
              zid_json_string (&json, "name", r->name);
              zid_json_string (&json, "agb", r->agb);
              zid_json_string (&json, "address", r->address);
              zid_json_string (&json, "reference", r->reference);
              zid_json_time (&json, "created", r->created);
              zid_json_time (&json, "completed", r->completed);
              zid_json_end_object (&json);
            }
          zid_json_end_array (&json);
          return json_end (&json);
        }
      for (guint i = 0; i < list->len; i++)
        {
          ZidRegistration *r = g_ptr_array_index (list, i);
          g_print ("%s  %-40s %s\n", r->ura, r->name, r->completed ? "afgerond" : "open");
        }
      return EXIT_DONE;
    }

#ifdef ZID_HAVE_CLI_REGISTRATION
  if (g_str_equal (sub, "sign") || g_str_equal (sub, "import") || g_str_equal (sub, "complete"))
    return zid_cli_registration (argc, argv, globals.portal, globals.environment_name, globals.json);
  return usage_error ("Gebruik: registration add|list|sign|import|complete");
#else
  return usage_error ("Gebruik: registration add|list");
#endif
}

/* organisation */

static int
cmd_organisation (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";

  if (g_str_equal (sub, "bootstrap"))
    {
      g_autofree char *ura = NULL, *first = NULL, *last = NULL, *birth = NULL, *qr_png = NULL;
      GOptionEntry entries[] = {
        { "ura", 0, 0, G_OPTION_ARG_STRING, &ura, "URA of the pending registration", "N" },
        { "first-name", 0, 0, G_OPTION_ARG_STRING, &first, "First name as in the identity document", "A" },
        { "last-name", 0, 0, G_OPTION_ARG_STRING, &last, "Last name as in the identity document", "B" },
        { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, "Birth date", "YYYY-MM-DD" },
        { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, "Also write the enrolment QR as PNG", "FILE" },
        { NULL }
      };
      g_autoptr(ZidEnrolment) enrolment = NULL;
      g_autoptr(ZidQrPng) png = NULL;

      argc--, argv++;
      if (!parse_args ("organisation bootstrap", entries, &argc, &argv, 0, 0))
        return EXIT_USAGE;
      if (!zid_qr_png_begin (qr_png, &png, &error))
        return fail (error);
      enrolment = zid_portal_bootstrap (globals.portal, ura, first, last, birth, &error);
      if (enrolment == NULL)
        return fail (error);
      return print_enrolment (enrolment, png);
    }

  if (g_str_equal (sub, "list"))
    {
      g_autofree char *as = NULL;
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { NULL }
      };
      g_autoptr(GPtrArray) list = NULL;
      gint64 actor;

      argc--, argv++;
      if (!parse_args ("organisation list", entries, &argc, &argv, 0, 0) ||
          !need_actor (as, &actor))
        return EXIT_USAGE;
      if ((list = zid_portal_list_organisations (globals.portal, actor, &error)) == NULL)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_begin_array (&json, "organisations");
          for (guint i = 0; i < list->len; i++)
            {
              ZidOrganisation *o = g_ptr_array_index (list, i);

              zid_json_begin_object (&json, NULL);
              zid_json_string (&json, "ura", o->ura);
              zid_json_string (&json, "name", o->name);
              zid_json_string (&json, "agb", o->agb);
              zid_json_string (&json, "address", o->address);
              zid_json_string (&json, "role", zid_role_to_string (o->role));
              zid_json_end_object (&json);
            }
          zid_json_end_array (&json);
          return json_end (&json);
        }
      for (guint i = 0; i < list->len; i++)
        {
          ZidOrganisation *o = g_ptr_array_index (list, i);
          g_print ("%s  %-40s %s\n", o->ura, o->name, zid_role_to_string (o->role));
        }
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "inactive"))
    {
      g_autofree char *as = NULL;
      gboolean csv = FALSE;
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print CSV", NULL },
        { NULL }
      };
      g_autoptr(GPtrArray) users = NULL;
      gint64 actor, org;

      argc--, argv++;
      if (!parse_args ("organisation inactive ORG", entries, &argc, &argv, 1, 1) ||
          !need_actor (as, &actor) || !resolve_organisation (argv[1], &org))
        return EXIT_USAGE;
      if ((users = zid_portal_list_inactive (globals.portal, actor, org, &error)) == NULL)
        return fail (error);
      if (csv && !globals.json)
        {
          g_print ("id,voornaam,achternaam,geboortedatum,status,laatst_gebruikt,geregistreerd\n");
          for (guint i = 0; i < users->len; i++)
            {
              ZidUser *u = g_ptr_array_index (users, i);
              g_autofree char *last_use = u ? zid_format_time (zid_user_get_last_use (u)) : NULL;
              g_autofree char *registered = zid_format_time (zid_user_get_registered (u));
              g_autofree char *first = g_strescape (zid_user_get_first_name (u), "");
              g_autofree char *last = g_strescape (zid_user_get_last_name (u), "");

              g_print ("%" G_GINT64_FORMAT ",\"%s\",\"%s\",%s,%s,%s,%s\n",
                       zid_user_get_id (u), first, last, zid_user_get_birth_date (u),
                       zid_user_get_blocked (u) ? "geblokkeerd" : "actief",
                       zid_user_get_last_use (u) ? last_use : "", registered);
            }
          return EXIT_DONE;
        }
      return print_users (users);
    }

  return usage_error ("Gebruik: organisation bootstrap|list|inactive");
}

/* user, membership, attribute */

static int
cmd_user (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";
  g_autofree char *as = NULL;
  gint64 actor, user;

  if (g_str_equal (sub, "register"))
    {
      g_autofree char *org_ura = NULL, *first = NULL, *last = NULL, *birth = NULL, *qr_png = NULL;
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, "Organisation (URA)", "ORG" },
        { "first-name", 0, 0, G_OPTION_ARG_STRING, &first, "First name as in the identity document", "X" },
        { "last-name", 0, 0, G_OPTION_ARG_STRING, &last, "Last name as in the identity document", "Y" },
        { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, "Birth date", "YYYY-MM-DD" },
        { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, "Also write the enrolment QR as PNG", "FILE" },
        { NULL }
      };
      g_autoptr(ZidEnrolment) enrolment = NULL;
      g_autoptr(ZidQrPng) png = NULL;
      gint64 org;

      argc--, argv++;
      if (!parse_args ("user register", entries, &argc, &argv, 0, 0) ||
          !need_actor (as, &actor) || !resolve_organisation (org_ura, &org))
        return EXIT_USAGE;
      if (!zid_qr_png_begin (qr_png, &png, &error))
        return fail (error);
      enrolment = zid_portal_register_user (globals.portal, actor, org, first, last, birth, &error);
      if (enrolment == NULL)
        return fail (error);
      return print_enrolment (enrolment, png);
    }

  if (g_str_equal (sub, "list"))
    {
      g_autofree char *org_ura = NULL, *search = NULL;
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, "Only this organisation (URA)", "ORG" },
        { "search", 0, 0, G_OPTION_ARG_STRING, &search, "Name prefix", "TEXT" },
        { NULL }
      };
      g_autoptr(GPtrArray) users = NULL;
      gint64 org = 0;

      argc--, argv++;
      if (!parse_args ("user list", entries, &argc, &argv, 0, 0) || !need_actor (as, &actor) ||
          (org_ura != NULL && !resolve_organisation (org_ura, &org)))
        return EXIT_USAGE;
      if ((users = zid_portal_list_users (globals.portal, actor, org, search, &error)) == NULL)
        return fail (error);
      return print_users (users);
    }

  if (g_str_equal (sub, "show"))
    {
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { NULL }
      };
      g_autoptr(ZidUser) u = NULL;
      g_autoptr(GPtrArray) attributes = NULL;
      g_autoptr(GPtrArray) certificates = NULL;

      argc--, argv++;
      if (!parse_args ("user show USER", entries, &argc, &argv, 1, 1) ||
          !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
        return EXIT_USAGE;
      if ((u = zid_portal_get_user (globals.portal, actor, user, &error)) == NULL ||
          (attributes = zid_portal_list_attributes (globals.portal, actor, user, &error)) == NULL ||
          (certificates = zid_portal_list_certificates (globals.portal, actor, user, &error)) == NULL)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          json_user (&json, "user", u);
          zid_json_begin_array (&json, "attributes");
          for (guint i = 0; i < attributes->len; i++)
            {
              ZidAttribute *a = g_ptr_array_index (attributes, i);

              zid_json_begin_object (&json, NULL);
              zid_json_string (&json, "type", a->type);
              zid_json_string (&json, "organisation", a->ura);
              zid_json_string (&json, "task_code", a->task_code);
              zid_json_end_object (&json);
            }
          zid_json_end_array (&json);
          zid_json_int (&json, "certificates", certificates->len);
          return json_end (&json);
        }
      print_user_line (u);
      for (guint i = 0; i < attributes->len; i++)
        {
          ZidAttribute *a = g_ptr_array_index (attributes, i);
          g_print ("  attribuut %s  organisatie %s  taakcode %s\n", a->type, a->ura, a->task_code);
        }
      g_print ("  %u certificaat/certificaten\n", certificates->len);
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "block") || g_str_equal (sub, "unblock"))
    {
      gboolean block = g_str_equal (sub, "block");
      g_autofree char *reason_name = NULL;
      GOptionEntry entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { "reason", 0, 0, G_OPTION_ARG_STRING, &reason_name,
          "security-incident|lost-smartphone|compromised-credentials|breach-of-trust|suspicious-activity",
          "REASON" },
        { NULL }
      };
      gboolean ok;

      argc--, argv++;
      if (!block)
        entries[1].long_name = NULL;
      if (!parse_args (block ? "user block USER" : "user unblock USER", entries, &argc, &argv, 1, 1) ||
          !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
        return EXIT_USAGE;
      if (block)
        {
          ZidBlockReason reason = zid_block_reason_from_string (reason_name);

          if (reason == ZID_BLOCK_REASON_NONE)
            return usage_error ("Onbekende of ontbrekende reden “%s”: kies security-incident, "
                                "lost-smartphone, compromised-credentials, breach-of-trust of "
                                "suspicious-activity", reason_name ? reason_name : "");
          ok = zid_portal_block_user (globals.portal, actor, user, reason, &error);
        }
      else
        ok = zid_portal_unblock_user (globals.portal, actor, user, &error);
      if (!ok)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_int (&json, "user", user);
          zid_json_string (&json, "status", block ? "blocked" : "active");
          return json_end (&json);
        }
      g_print (block ? "Gebruiker %" G_GINT64_FORMAT " is geblokkeerd\n"
                     : "Gebruiker %" G_GINT64_FORMAT " is geactiveerd\n", user);
      return EXIT_DONE;
    }

  return usage_error ("Gebruik: user register|list|show|block|unblock");
}

static int
cmd_membership (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidEnrolment) enrolment = NULL;
  g_autofree char *as = NULL, *org_ura = NULL, *role_name = NULL;
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, "Organisation (URA)", "ORG" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_name, "Administrator|Beheerder|Gebruiker", "ROLE" },
    { NULL }
  };
  gint64 actor, user, org;
  ZidRole role;

  if (argc < 2 || !g_str_equal (argv[1], "set"))
    return usage_error ("Gebruik: membership set --as A USER --organisation ORG --role ROLE");
  argc--, argv++;
  if (!parse_args ("membership set USER", entries, &argc, &argv, 1, 1) ||
      !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
    return EXIT_USAGE;
  role = zid_role_from_string (role_name);
  if (role == ZID_ROLE_NONE)
    return usage_error ("Onbekende rol “%s”: kies Administrator, Beheerder of Gebruiker",
                        role_name ? role_name : "");
  if (!resolve_organisation (org_ura, &org))
    return EXIT_USAGE;
  if (!zid_portal_set_membership (globals.portal, actor, user, org, role, &enrolment, &error))
    return fail (error);
  if (enrolment != NULL)
    return print_enrolment (enrolment, NULL);
  if (globals.json)
    {
      ZidJson json;

      json_begin (&json);
      zid_json_int (&json, "user", user);
      zid_json_string (&json, "organisation", org_ura);
      zid_json_string (&json, "role", zid_role_to_string (role));
      return json_end (&json);
    }
  g_print ("Gebruiker %" G_GINT64_FORMAT " heeft nu de rol %s in %s\n", user,
           zid_role_to_string (role), org_ura);
  return EXIT_DONE;
}

static int
cmd_attribute (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *as = NULL, *org_ura = NULL, *type = NULL, *task_code = NULL;
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, "uzi|agb|big|taak", "T" },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &org_ura, "Organisation (URA)", "ORG" },
    { "task-code", 0, 0, G_OPTION_ARG_STRING, &task_code, "Task code", "C" },
    { NULL }
  };
  gint64 actor, user, org, id;

  if (argc < 2 || !g_str_equal (argv[1], "add"))
    return usage_error ("Gebruik: attribute add --as A USER --type T --organisation ORG --task-code C");
  argc--, argv++;
  if (!parse_args ("attribute add USER", entries, &argc, &argv, 1, 1) ||
      !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user) ||
      !resolve_organisation (org_ura, &org))
    return EXIT_USAGE;
  id = zid_portal_add_attribute (globals.portal, actor, user, type, org, task_code, &error);
  if (id == 0)
    return fail (error);
  if (globals.json)
    {
      ZidJson json;

      json_begin (&json);
      zid_json_int (&json, "attribute", id);
      zid_json_int (&json, "user", user);
      return json_end (&json);
    }
  g_print ("Attribuut %s toegevoegd aan gebruiker %" G_GINT64_FORMAT "\n", type, user);
  return EXIT_DONE;
}

/* certificate */

static int
cmd_certificate (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";
  g_autofree char *as = NULL;
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
    { NULL }
  };
  gint64 actor, user;

  if (g_str_equal (sub, "list"))
    {
      g_autoptr(GPtrArray) list = NULL;

      argc--, argv++;
      if (!parse_args ("certificate list USER", entries, &argc, &argv, 1, 1) ||
          !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
        return EXIT_USAGE;
      if ((list = zid_portal_list_certificates (globals.portal, actor, user, &error)) == NULL)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_begin_array (&json, "certificates");
          for (guint i = 0; i < list->len; i++)
            {
              ZidCertificate *c = g_ptr_array_index (list, i);

              zid_json_begin_object (&json, NULL);
              zid_json_string (&json, "serial", c->serial);
              zid_json_string (&json, "status", c->revoked ? "revoked" : "active");
              zid_json_time (&json, "not_before", c->not_before);
              zid_json_time (&json, "not_after", c->not_after);
              zid_json_time (&json, "revoked_at", c->revoked_at);
              zid_json_string (&json, "revoke_reason", c->revoke_reason);
              zid_json_end_object (&json);
            }
          zid_json_end_array (&json);
          return json_end (&json);
        }
      for (guint i = 0; i < list->len; i++)
        {
          ZidCertificate *c = g_ptr_array_index (list, i);
          g_autofree char *until = format_time_local (c->not_after);
          g_print ("%s  %-12s geldig tot %s\n", c->serial, c->revoked ? "ingetrokken" : "actief", until);
        }
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "revoke"))
    {
      argc--, argv++;
      if (!parse_args ("certificate revoke USER SERIAL", entries, &argc, &argv, 2, 2) ||
          !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
        return EXIT_USAGE;
      if (!zid_portal_revoke_certificate (globals.portal, actor, user, argv[2], &error))
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_int (&json, "user", user);
          zid_json_string (&json, "serial", argv[2]);
          zid_json_string (&json, "status", "revoked");
          return json_end (&json);
        }
      g_print ("Certificaat %s is ingetrokken\n", argv[2]);
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "new"))
    {
      g_autoptr(ZidEnrolment) enrolment = NULL;
      g_autoptr(ZidQrPng) png = NULL;
      g_autofree char *qr_png = NULL;
      GOptionEntry new_entries[] = {
        { "as", 0, 0, G_OPTION_ARG_STRING, &as, "Act as this user", "USER" },
        { "qr-png", 0, 0, G_OPTION_ARG_FILENAME, &qr_png, "Also write the QR as PNG", "FILE" },
        { NULL }
      };

      argc--, argv++;
      if (!parse_args ("certificate new USER", new_entries, &argc, &argv, 1, 1) ||
          !need_actor (as, &actor) || !parse_id (argv[1], "gebruiker", &user))
        return EXIT_USAGE;
      if (!zid_qr_png_begin (qr_png, &png, &error))
        return fail (error);
      if ((enrolment = zid_portal_new_certificate (globals.portal, actor, user, &error)) == NULL)
        return fail (error);
      return print_enrolment (enrolment, png);
    }

  if (g_str_equal (sub, "crl"))
    {
      g_autofree char *crl = zid_portal_dup_crl_pem (globals.portal, &error);

      if (crl == NULL)
        return fail (error);
      fputs (crl, stdout);
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "ca"))
    {
      g_autofree char *ca = zid_portal_dup_ca_pem (globals.portal, &error);

      if (ca == NULL)
        return fail (error);
      fputs (ca, stdout);
      return EXIT_DONE;
    }

  return usage_error ("Gebruik: certificate list|revoke|new|crl|ca");
}

/* audit, config, overview */

static int
cmd_audit (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";

  if (g_str_equal (sub, "list"))
    {
      g_autoptr(GPtrArray) list = zid_portal_list_audit (globals.portal, &error);

      if (list == NULL)
        return fail (error);
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_begin_array (&json, "events");
          for (guint i = 0; i < list->len; i++)
            {
              ZidAuditEvent *e = g_ptr_array_index (list, i);

              zid_json_begin_object (&json, NULL);
              zid_json_int (&json, "id", e->id);
              zid_json_time (&json, "time", e->time);
              zid_json_string (&json, "actor", e->actor);
              zid_json_string (&json, "action", e->action);
              zid_json_string (&json, "subject", e->subject);
              zid_json_string (&json, "details", e->details);
              zid_json_string (&json, "hash", e->hash);
              zid_json_end_object (&json);
            }
          zid_json_end_array (&json);
          return json_end (&json);
        }
      for (guint i = 0; i < list->len; i++)
        {
          ZidAuditEvent *e = g_ptr_array_index (list, i);
          g_autofree char *when = zid_format_time (e->time);

          g_print ("%5" G_GINT64_FORMAT "  %s  %-10s %-28s %-10s %s\n", e->id, when, e->actor,
                   e->action, e->subject ? e->subject : "-", e->details ? e->details : "");
        }
      return EXIT_DONE;
    }

  if (g_str_equal (sub, "verify"))
    {
      gint64 bad = 0;

      if (!zid_portal_verify_audit (globals.portal, &bad, &error))
        {
          if (globals.json)
            {
              ZidJson json;

              json_begin (&json);
              zid_json_string (&json, "error", zid_error_code_name (error->code));
              zid_json_string (&json, "message", error->message);
              zid_json_int (&json, "event", bad);
              json_end (&json);
            }
          g_printerr ("zorgid-admin: %s\n", error->message);
          return EXIT_REFUSED;
        }
      if (globals.json)
        {
          ZidJson json;

          json_begin (&json);
          zid_json_bool (&json, "intact", TRUE);
          return json_end (&json);
        }
      g_print ("Auditlog is intact\n");
      return EXIT_DONE;
    }

  return usage_error ("Gebruik: audit list|verify");
}

static int
cmd_config (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *sub = argc > 1 ? argv[1] : "";
  const char *key = argc > 2 ? argv[2] : "";

  if (!g_str_equal (key, "service-address"))
    return usage_error ("Gebruik: config get|set service-address [HOST:POORT]");

  if (g_str_equal (sub, "set") && argc == 4)
    {
      if (!zid_portal_set_service_address (globals.portal, argv[3], &error))
        return fail (error);
    }
  else if (!g_str_equal (sub, "get") || argc != 3)
    return usage_error ("Gebruik: config get|set service-address [HOST:POORT]");

  {
    g_autofree char *address = zid_portal_dup_service_address (globals.portal);

    if (globals.json)
      {
        ZidJson json;

        json_begin (&json);
        zid_json_string (&json, "service_address", address);
        return json_end (&json);
      }
    g_print ("%s\n", address);
  }
  return EXIT_DONE;
}

static int
cmd_overview (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) registrations = NULL;
  g_autofree char *address = zid_portal_dup_service_address (globals.portal);
  gint64 bad = 0;
  gboolean intact;

  registrations = zid_portal_list_registrations (globals.portal, TRUE, &error);
  if (registrations == NULL)
    return fail (error);
  intact = zid_portal_verify_audit (globals.portal, &bad, NULL);

  g_print ("ZORG-ID Portaal %s — omgeving %s\n", PACKAGE_VERSION, globals.environment_name);
  g_print ("Gegevensmap:     %s\n", zid_portal_get_data_dir (globals.portal));
  g_print ("Dienstadres:     %s\n", address);
  g_print ("Registraties:    %u\n", registrations->len);
  g_print ("Auditlog:        %s\n", intact ? "intact" : "VERBROKEN (zorgid-admin audit verify)");
  g_print ("\nZie `zorgid-admin --help` voor de opdrachten.\n");
  return EXIT_DONE;
}

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "overview", cmd_overview, "environment, data dir and state" },
#ifdef ZID_HAVE_CLI_REGISTRATION
  { "registration", cmd_registration, "add|list|sign|import|complete organisation registrations" },
#else
  { "registration", cmd_registration, "add|list pending organisation registrations" },
#endif
  { "organisation", cmd_organisation, "bootstrap|list|inactive" },
  { "user", cmd_user, "register|list|show|block|unblock" },
  { "membership", cmd_membership, "set a user's role in an organisation" },
  { "attribute", cmd_attribute, "add an attribute" },
  { "certificate", cmd_certificate, "list|revoke|new|crl|ca" },
  { "audit", cmd_audit, "list|verify the audit trail" },
  { "config", cmd_config, "get|set service-address" },
};

static void
print_help (void)
{
  g_print ("Usage: zorgid-admin [--data-dir DIR] [--environment acceptatie|productie] [--json] COMMAND ...\n\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-14s %s\n", commands[i].name, commands[i].summary);
#ifdef ZID_HAVE_CLI_CARD
  g_print ("  %-14s %s\n", "card", "inspect|status|verify the UZI-pas");
#endif
#ifdef ZID_HAVE_CLI_SERVICE
  g_print ("  %-14s %s\n", "service", "run the enrolment service without a window");
#endif
  g_print ("\nExit status: 0 done, 1 refused by a rule, 2 bad usage or input.\n");
}

/* Global options may stand anywhere; they are taken out of argv */
static gboolean
take_globals (int   *argc,
              char **argv)
{
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      const char *arg = argv[i];
      char **target = NULL;

      if (g_str_equal (arg, "--json"))
        {
          globals.json = TRUE;
          continue;
        }
      if (g_str_equal (arg, "--data-dir"))
        target = &globals.data_dir;
      else if (g_str_equal (arg, "--environment"))
        target = &globals.environment_name;
      else if (g_str_has_prefix (arg, "--data-dir="))
        {
          g_free (globals.data_dir);
          globals.data_dir = g_strdup (arg + strlen ("--data-dir="));
          continue;
        }
      else if (g_str_has_prefix (arg, "--environment="))
        {
          g_free (globals.environment_name);
          globals.environment_name = g_strdup (arg + strlen ("--environment="));
          continue;
        }

      if (target != NULL)
        {
          if (i + 1 >= *argc)
            return FALSE;
          g_free (*target);
          *target = g_strdup (argv[++i]);
          continue;
        }
      argv[out++] = argv[i];
    }
  *argc = out;
  argv[out] = NULL;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const Command *command = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!take_globals (&argc, argv))
    return usage_error ("Een globale optie mist haar waarde");

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      return argc < 2 ? EXIT_USAGE : EXIT_DONE;
    }

  if (globals.environment_name == NULL)
    globals.environment_name = g_strdup ("acceptatie");
  if (!zid_environment_from_string (globals.environment_name, &globals.environment))
    return usage_error ("Onbekende omgeving “%s”: kies acceptatie of productie",
                        globals.environment_name);
  if (globals.data_dir == NULL)
    globals.data_dir = zid_portal_default_data_dir (globals.environment);

#ifdef ZID_HAVE_CLI_CARD
  if (g_str_equal (argv[1], "card"))
    return zid_cli_card (argc - 1, argv + 1, globals.data_dir, globals.environment_name,
                         globals.json);
#endif

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      command = &commands[i];
#ifdef ZID_HAVE_CLI_SERVICE
  if (command == NULL && !g_str_equal (argv[1], "service"))
#else
  if (command == NULL)
#endif
    return usage_error ("Onbekende opdracht “%s”; zie zorgid-admin --help", argv[1]);

  globals.portal = zid_portal_open (globals.data_dir, globals.environment, NULL, &error);
  if (globals.portal == NULL)
    return fail (error);

#ifdef ZID_HAVE_CLI_SERVICE
  if (command == NULL)
    status = zid_cli_service (argc - 1, argv + 1, globals.portal, globals.json);
  else
#endif
    status = command->run (argc - 1, argv + 1);

  g_clear_object (&globals.portal);
  g_free (globals.data_dir);
  g_free (globals.environment_name);
  return status;
}
