/* zid-backup.h — a backup of an environment and its restore
 *
 * A backup is a folder (mode 0700) holding what an environment needs to
 * run again: the database (zorgid.db, copied with SQLite's online backup
 * API from one snapshot while the window or the service keep writing), the
 * seal key (seal.key), the name of the keyring secret (keys.id, when the
 * keys are encrypted), the local CA (ca/), the enrolment service's TLS
 * identity (service-tls/) and the trust added (uzi-trust/,
 * operator-trust/), every file as it is (mode 0600), and manifest.json:
 * the environment, the schema version, the time, the newest audit event
 * and the size and SHA-256 of every file.
 *
 * Encrypted keys stay encrypted: the keyring secret that opens them is not
 * in the backup. A restore on another machine or for another user needs
 * that secret stored in its keyring first; without it the restore is
 * refused (ZID_BACKUP_ERROR_KEYS) and nothing is changed.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>

#include "zid-portal.h"

G_BEGIN_DECLS

#define ZID_BACKUP_ERROR    (zid_backup_error_quark ())
#define ZID_BACKUP_MANIFEST "manifest.json"
#define ZID_BACKUP_FORMAT   1

typedef enum
{
  ZID_BACKUP_ERROR_EXISTS,        /* the backup's folder exists already (bad input) */
  ZID_BACKUP_ERROR_NOT_A_BACKUP,  /* no manifest, or one that does not parse (bad input) */
  ZID_BACKUP_ERROR_STORE_EXISTS,  /* the data dir has a store, and no --force */
  ZID_BACKUP_ERROR_CHANGED,       /* a file missing, or not as the manifest says */
  ZID_BACKUP_ERROR_DAMAGED,       /* the database does not open or check */
  ZID_BACKUP_ERROR_NEWER,         /* made by a newer version of the program */
  ZID_BACKUP_ERROR_KEYS,          /* a key cannot be read (file, or keyring secret) */
} ZidBackupError;

GQuark      zid_backup_error_quark      (void);
/* "backup-exists", …: the machine names of docs/cli.md */
const char *zid_backup_error_code_name  (int           code);
/* 2 for bad input (EXISTS, NOT_A_BACKUP), 1 else */
int         zid_backup_error_exit_status (const GError *error);

/* What a backup holds, or what a restore put in place */
typedef struct
{
  char     *path;            /* the backup's folder, or the data dir restored */
  char     *environment;
  gint64    schema_version;
  gint64    created;         /* unix seconds */
  gint64    audit_head;      /* the id of the newest audit event in the copy */
  gint64    users;
  gboolean  keys_encrypted;  /* keys.id present: the keyring secret is needed */
  char     *key_set;         /* the keyring secret's ID, or NULL */
  guint     files;
  gint64    bytes;
  gint64    pages;           /* the database's pages copied */
  guint     restarts;        /* copies begun again (a source changed under a step) */
  char     *previous;        /* restore: where the data dir found was put aside */
} ZidBackupInfo;

void        zid_backup_info_clear       (ZidBackupInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ZidBackupInfo, zid_backup_info_clear)

/* Copies the environment of @portal into the new folder @out (which must
 * not exist): staged beside it, synced, then renamed into place. Audited
 * as "store.backup" after the copy (which therefore does not hold that
 * event). Writers are never held up: the database is read from one
 * snapshot of its write-ahead log, in steps. */
gboolean    zid_portal_backup           (ZidPortal      *portal,
                                         const char     *out,
                                         ZidBackupInfo  *info,
                                         GError        **error);

/* Restores the backup @in into @data_dir for @environment. Refused when
 * @data_dir has a store, unless @force: then the old data dir is renamed
 * aside (info->previous), never deleted. The files are checked against
 * the manifest, the schema version and the environment stamp against this
 * program and @environment, the keys are read, and the audit trail and
 * the seal verified in a staging folder beside @data_dir, which becomes
 * @data_dir only when all passed; on any failure nothing is changed. */
gboolean    zid_backup_restore          (const char     *in,
                                         const char     *data_dir,
                                         ZidEnvironment  environment,
                                         gboolean        force,
                                         ZidBackupInfo  *info,
                                         GError        **error);

G_END_DECLS
