/* zid-cli-backup.c — `zorgid-admin backup OUT` and `zorgid-admin restore IN`
 *
 * A backup of the environment's data dir while the window or the service
 * keep running, and its restore into a data dir without a store (or, with
 * --force, over one, which is put aside). See zid-backup.h and docs/cli.md.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include "zid-backup.h"
#include "zid-cli.h"

static int
fail (ZidCli       *cli,
      const GError *error)
{
  return zid_cli_fail_with_status (cli, error, zid_backup_error_exit_status (error));
}

/* What a backup holds, or what a restore put in place */
static void
json_info (JsonBuilder         *json,
           const ZidBackupInfo *info)
{
  zid_cli_json_string (json, "environment", info->environment);
  zid_cli_json_int (json, "schema_version", info->schema_version);
  zid_cli_json_time (json, "created", info->created);
  zid_cli_json_int (json, "audit_head", MAX (info->audit_head, 0));
  zid_cli_json_int (json, "users", info->users);
  zid_cli_json_int (json, "files", info->files);
  zid_cli_json_int (json, "bytes", info->bytes);
  zid_cli_json_string (json, "key_protection", info->keys_encrypted ? "encrypted" : "file");
  zid_cli_json_string (json, "key_set", info->key_set);
}

static void
print_keys (const ZidBackupInfo *info)
{
  if (info->keys_encrypted)
    g_print (_("The keys are encrypted with a secret in the keyring (key set %s); keep that secret "
               "with the backup: without it, it cannot be restored on another computer or for "
               "another user.\n"), info->key_set);
  else
    g_print (_("The keys are plain files in the backup: keep it as safe as the data folder.\n"));
}

int
zid_cli_backup (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  g_auto(ZidBackupInfo) info = { 0 };
  g_autoptr(GError) error = NULL;

  if (!zid_cli_parse_args (cli, "backup OUT", NULL, &argc, &argv, 1, 1))
    return ZID_CLI_USAGE;
  if (!zid_portal_backup (cli->portal, argv[1], &info, &error))
    return fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "backup", info.path);
      json_info (json, &info);
      zid_cli_json_int (json, "pages", info.pages);
      zid_cli_json_int (json, "restarts", info.restarts);
      return zid_cli_json_end (json);
    }
  g_print (_("Backup of %s (%s) in %s: %u files, %lld bytes, %lld users, audit trail up to "
             "event %lld\n"),
           cli->data_dir, info.environment, info.path, info.files, (long long) info.bytes,
           (long long) info.users, (long long) MAX (info.audit_head, 0));
  print_keys (&info);
  return ZID_CLI_DONE;
}

int
zid_cli_restore (ZidCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_auto(ZidBackupInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Restore over a data folder that holds a store: the present folder is renamed aside, "
         "not deleted"), NULL },
    { NULL }
  };

  if (!zid_cli_parse_args (cli, "restore IN", entries, &argc, &argv, 1, 1))
    return ZID_CLI_USAGE;
  if (!zid_backup_restore (argv[1], cli->data_dir, cli->environment, force, &info, &error))
    return fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "restored", info.path);
      json_info (json, &info);
      zid_cli_json_string (json, "previous", info.previous);
      return zid_cli_json_end (json);
    }
  g_print (_("Restored into %s (%s): %lld users, audit trail up to event %lld, verified\n"),
           info.path, info.environment, (long long) info.users,
           (long long) MAX (info.audit_head, 0));
  if (info.previous != NULL)
    g_print (_("The data folder found there was put aside as %s\n"), info.previous);
  return ZID_CLI_DONE;
}
