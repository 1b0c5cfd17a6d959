/* zid-cli-trust.c — `zorgid-admin trust list|add|remove --kind uzi|operator`
 *
 * The environment's trust (src/core/zid-trust-store.h): the UZI-register's
 * CA certificates a UZI-pas must chain to, and the operator's anchors that
 * sign registration files. What is added is copied into the data dir.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include "zid-cli.h"

/* --kind, required */
static gboolean
parse_kind (ZidCli        *cli,
            const char    *command,
            int           *argc,
            char        ***argv,
            int            min_positional,
            int            max_positional,
            ZidTrustKind  *kind)
{
  g_autofree char *text = NULL;
  GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &text,
      N_("uzi: the UZI-register's CA certificates; operator: the signer of registration files"),
      N_("uzi|operator") },
    { NULL }
  };

  if (!zid_cli_parse_args (cli, command, entries, argc, argv, min_positional, max_positional))
    return FALSE;
  if (text == NULL || !zid_trust_kind_from_string (text, kind))
    {
      zid_cli_usage_error (cli, _("Give --kind uzi or --kind operator"));
      return FALSE;
    }
  return TRUE;
}

static void
json_entry (JsonBuilder *json,
            gpointer     item)
{
  ZidTrustEntry *e = item;

  zid_cli_json_string (json, "kind", zid_trust_kind_to_string (zid_trust_entry_get_kind (e)));
  zid_cli_json_string (json, "fingerprint", zid_trust_entry_get_fingerprint (e));
  zid_cli_json_string (json, "subject", zid_trust_entry_get_subject (e));
  zid_cli_json_string (json, "subject_dn", zid_trust_entry_get_subject_dn (e));
  zid_cli_json_string (json, "issuer", zid_trust_entry_get_issuer (e));
  zid_cli_json_time (json, "not_before", zid_trust_entry_get_not_before (e));
  zid_cli_json_time (json, "not_after", zid_trust_entry_get_not_after (e));
  zid_cli_json_string (json, "type", zid_trust_entry_get_is_crl (e) ? "crl"
                                     : zid_trust_entry_get_is_anchor (e) ? "anchor" : "intermediate");
  zid_cli_json_bool (json, "builtin", zid_trust_entry_get_builtin (e));
}

static void
print_entries (GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      ZidTrustEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *from = zid_cli_format_time_local (zid_trust_entry_get_not_before (e));
      g_autofree char *until = zid_cli_format_time_local (zid_trust_entry_get_not_after (e));

      g_print (_("%s%s\n  %s, %s\n  valid %s until %s\n  SHA-256 %s\n"),
               zid_trust_entry_get_subject (e),
               zid_trust_entry_get_is_crl (e) ? _(" (revocation list)") : "",
               zid_trust_entry_get_builtin (e) ? _("built in") : _("added"),
               zid_trust_entry_get_is_crl (e) ? "CRL"
                 : zid_trust_entry_get_is_anchor (e) ? _("root certificate") : _("intermediate certificate"),
               from, until, zid_trust_entry_get_fingerprint (e));
    }
}

static int
cmd_list (ZidCli  *cli,
          int      argc,
          char   **argv)
{
  g_autoptr(GPtrArray) entries = NULL;
  ZidTrustKind kind;

  if (!parse_kind (cli, "trust list", &argc, &argv, 0, 0, &kind))
    return ZID_CLI_USAGE;
  entries = zid_portal_list_trust (cli->portal, kind);
  if (cli->json)
    return zid_cli_json_print_array ("trust", entries, json_entry);
  if (entries->len == 0)
    g_print (_("No trusted certificates (%s, %s)\n"), zid_trust_kind_to_string (kind),
             cli->environment_name);
  print_entries (entries);
  return ZID_CLI_DONE;
}

static int
cmd_add (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  ZidTrustKind kind;

  if (!parse_kind (cli, "trust add FILE...", &argc, &argv, 1, G_MAXINT, &kind))
    return ZID_CLI_USAGE;

  /* every file is read and checked before the first is added */
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GBytes) data = NULL;
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (argv[i], &contents, &len, &error))
        {
          g_autoptr(GError) e = g_error_new (ZID_ERROR, ZID_ERROR_IO, "%s", error->message);
          return zid_cli_fail_with_status (cli, e, ZID_CLI_USAGE);
        }
      data = g_bytes_new_take (g_steal_pointer (&contents), len);
      entries = zid_portal_add_trust (cli->portal, kind, data, &error);
      if (entries == NULL)
        return zid_cli_fail (cli, error);
      g_ptr_array_extend_and_steal (added, g_steal_pointer (&entries));
    }
  if (cli->json)
    return zid_cli_json_print_array ("added", added, json_entry);
  g_print (_("Trusted (%s, %s):\n"), zid_trust_kind_to_string (kind), cli->environment_name);
  print_entries (added);
  return ZID_CLI_DONE;
}

static int
cmd_remove (ZidCli  *cli,
            int      argc,
            char   **argv)
{
  g_autoptr(GError) error = NULL;
  ZidTrustKind kind;

  if (!parse_kind (cli, "trust remove SHA256-FINGERPRINT", &argc, &argv, 1, 1, &kind))
    return ZID_CLI_USAGE;
  if (!zid_portal_remove_trust (cli->portal, kind, argv[1], &error))
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "removed", argv[1]);
      return zid_cli_json_end (json);
    }
  g_print (_("Removed: %s\n"), argv[1]);
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_trust_commands[] = {
  { "list", cmd_list, N_("the environment's trusted certificates and CRLs, built in and added") },
  { "add", cmd_add, N_("trust CA certificates or CRLs (copied into the data dir)") },
  { "remove", cmd_remove, N_("remove an added certificate or CRL by its SHA-256 fingerprint") },
  { NULL }
};
