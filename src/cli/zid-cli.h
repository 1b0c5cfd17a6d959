/* zid-cli.h — the shape of zorgid-admin: one context, one command table,
 * one handler signature, one JSON writer, one error vocabulary
 *
 * Every command is a ZidCliHandler in a table of its group's file
 * (zid-cli-GROUP.c); zid-admin.c holds the top-level table and main.
 * A handler gets the context and its own argv, argv[0] being the command's
 * name (GOptionContext's program name), and returns the exit status.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "zid-card.h"
#include "zid-core.h"
#include "zid-qr-png.h"
#include "zid-service.h"

G_BEGIN_DECLS

/* 0 done; 1 refused by a rule or the machine failed; 2 bad usage or input */
enum { ZID_CLI_DONE = 0, ZID_CLI_REFUSED = 1, ZID_CLI_USAGE = 2 };

typedef struct
{
  char           *data_dir;
  char           *database;           /* --database: a file or a postgresql:// URI */
  char           *environment_name;   /* "acceptatie" or "productie" */
  ZidEnvironment  environment;
  gboolean        json;               /* --json: answers and refusals as JSON on stdout */
  ZidPortal      *portal;             /* opened before the handler runs, unless ZID_CLI_NO_PORTAL */
  gint64          actor;              /* --as USER of a ZID_CLI_ACTS_AS command; the
                                       * session's user when remote */
  gboolean        remote;             /* run by the organisation server for a remote
                                       * client: only ZID_CLI_REMOTE commands, no --as,
                                       * no file of this machine */
  GBytes         *input;              /* remote: what the client sent as the command's
                                       * standard input (a FILE of "-"), or NULL */
  char           *server;             /* --server CONNECTION-CODE: run at that server */
  gboolean        data_dir_given;     /* --data-dir: this machine's store */
  guint           flags;              /* the running command's ZidCliFlags */
  const struct _ZidCliCommand *command; /* the running command */
  char           *path;               /* its words: "user register" */
  gboolean        help;               /* --help asked: the handler prints its usage and touches nothing */
  gboolean        help_shown;
} ZidCli;

typedef int (*ZidCliHandler) (ZidCli  *cli,
                              int      argc,
                              char   **argv);

typedef enum
{
  ZID_CLI_NO_PORTAL = 1 << 0,   /* the command (or group) opens no portal */
  ZID_CLI_ACTS_AS   = 1 << 1,   /* acts for a person: --as USER, parsed into cli->actor */
  ZID_CLI_REMOTE    = 1 << 2,   /* runs at the organisation server too, for its session's user */
  ZID_CLI_UPLOAD    = 1 << 3,   /* remote: its one FILE argument is sent along, read as "-" */
  ZID_CLI_OWN_PORTAL = 1 << 4,  /* works on the store but opens the portal itself, when it needs it */
} ZidCliFlags;

typedef struct _ZidCliCommand ZidCliCommand;

/* A command (handler) or a group of them (subcommands, a table ending in
 * { NULL }); tables end with an entry whose name is NULL */
struct _ZidCliCommand
{
  const char          *name;
  ZidCliHandler        handler;
  const char          *summary;
  const ZidCliCommand *subcommands;
  ZidCliFlags          flags;
};

/* The top-level table (zid-admin.c) */
extern const ZidCliCommand zid_cli_commands[];

/* The command groups, one file each */
extern const ZidCliCommand zid_cli_registration_commands[];
extern const ZidCliCommand zid_cli_organisation_commands[];
extern const ZidCliCommand zid_cli_user_commands[];
extern const ZidCliCommand zid_cli_membership_commands[];
extern const ZidCliCommand zid_cli_attribute_commands[];
extern const ZidCliCommand zid_cli_certificate_commands[];
extern const ZidCliCommand zid_cli_audit_commands[];
extern const ZidCliCommand zid_cli_config_commands[];
extern const ZidCliCommand zid_cli_card_commands[];
extern const ZidCliCommand zid_cli_service_commands[];
extern const ZidCliCommand zid_cli_trust_commands[];
extern const ZidCliCommand zid_cli_server_commands[];
int zid_cli_login (ZidCli *cli, int argc, char **argv);
int zid_cli_logout (ZidCli *cli, int argc, char **argv);
/* zid-cli-server.c: whether @argv is to run at a server (--server, or
 * a session kept for this environment), and then runs it there */
gboolean zid_cli_remote_wanted (ZidCli *cli, int argc, char **argv);
int      zid_cli_remote_run    (ZidCli *cli, int argc, char **argv);
/* zid-cli-service.c: `service run`, and with @admin `server run` */
int zid_cli_serve (ZidCli *cli, const char *command, gboolean admin, int argc, char **argv);
/* zid-cli-server.c: the server's runner of a remote client's command
 * (ZidServiceAdminFunc; @user_data the server's ZidCli), and its
 * connection code as text and terminal QR */
int  zid_cli_run_for_client        (ZidService *service,
                                    gint64      actor,
                                    char      **argv,
                                    GBytes     *input,
                                    gboolean    json,
                                    GString    *out,
                                    GString    *err,
                                    gpointer    user_data);
void zid_cli_print_connection_code (const char *code);
/* Opens cli->portal, unless it is open (for a ZID_CLI_OWN_PORTAL command) */
gboolean zid_cli_open_portal (ZidCli *cli, GError **error);
/* The command @argv names in @table (descending into groups), the flags
 * it gets from its groups and how many words of @argv named it (@n_words
 * may be NULL); NULL if none */
const ZidCliCommand *zid_cli_find (const ZidCliCommand *table,
                                   int                  argc,
                                   char               **argv,
                                   ZidCliFlags         *flags,
                                   int                 *n_words);
int zid_cli_overview (ZidCli *cli, int argc, char **argv);
int zid_cli_doctor (ZidCli *cli, int argc, char **argv);
int zid_cli_backup (ZidCli *cli, int argc, char **argv);
int zid_cli_restore (ZidCli *cli, int argc, char **argv);

/* Runs argv[0] of @table (descending into groups; "GROUP --help" lists
 * the group), opening the portal first unless the command says not to or
 * its --help is asked: then the handler's zid_cli_parse_args () prints the
 * usage and the handler returns before it touches the portal (a handler
 * calls zid_cli_parse_args () before anything else) */
int  zid_cli_run        (ZidCli              *cli,
                         const char          *path,
                         const ZidCliCommand *table,
                         int                  argc,
                         char               **argv);
void zid_cli_print_table (const ZidCliCommand *table);

/* Output. Text goes through g_print/g_printerr (UTF-8 whatever the
 * locale, zid_cli_install_print_handlers) and zid_cli_write; between
 * zid_cli_capture_begin and _end, what the calling thread prints goes to
 * @out and @err instead (the server runs a remote client's command so) */
void zid_cli_install_print_handlers (void);
void zid_cli_write                  (const char *text,
                                     gsize       length);
void zid_cli_capture_begin          (GString    *out,
                                     GString    *err);
void zid_cli_capture_end            (void);

/* Refusals: the error vocabulary (zid-cli.c, docs/cli.md). With --json one
 * {"error": CODE, "message": TEXT} on stdout; the message on stderr always.
 * zid_cli_fail's status: the core's (zid_error_exit_status), else 1. */
const char *zid_cli_error_code      (const GError *error);
int         zid_cli_fail            (ZidCli       *cli,
                                     const GError *error);
int         zid_cli_fail_with_status (ZidCli       *cli,
                                      const GError *error,
                                      int           status);
const char *zid_cli_getenv          (const char   *name);
int         zid_cli_usage_error     (ZidCli       *cli,
                                     const char   *format,
                                     ...) G_GNUC_PRINTF (2, 3);

/* Options of one command (and --as USER when it acts for a person): FALSE
 * (a usage error told) when they do not parse, the number of positional
 * arguments is outside [min, max] or --as is missing; FALSE too after
 * printing the usage when --help is asked. @command: the command's words
 * and its positional arguments ("user show USER"); option descriptions are
 * translated in GETTEXT_PACKAGE (mark them N_()) */
gboolean zid_cli_parse_args            (ZidCli         *cli,
                                        const char     *command,
                                        GOptionEntry   *entries,
                                        int            *argc,
                                        char         ***argv,
                                        int             min_positional,
                                        int             max_positional);
gboolean zid_cli_parse_id              (ZidCli         *cli,
                                        const char     *text,
                                        const char     *what,
                                        gint64         *id);
gboolean zid_cli_resolve_organisation  (ZidCli         *cli,
                                        const char     *ura,
                                        gint64         *id);
/* "a|b|c": the CLI spellings of a table of the core
 * (zid_block_reason_nth, zid_attribute_type_nth), for an option's help */
char    *zid_cli_dup_choices           (const ZidEnumInfo *(*nth) (guint n));

/* JSON: one object per answer, compact, UTF-8, ending in a newline.
 * key NULL: an element of the array being built. */
JsonBuilder *zid_cli_json_begin        (void);
int          zid_cli_json_end          (JsonBuilder *json);
void         zid_cli_json_begin_object (JsonBuilder *json,
                                        const char  *key);
void         zid_cli_json_end_object   (JsonBuilder *json);
/* An array of objects, one per item, its members written by @item */
typedef void (*ZidCliJsonItem) (JsonBuilder *json,
                                gpointer     item);
void         zid_cli_json_array        (JsonBuilder    *json,
                                        const char     *key,
                                        GPtrArray      *items,
                                        ZidCliJsonItem  item);
/* The answer of a list command: {KEY: [...]} */
int          zid_cli_json_print_array  (const char     *key,
                                        GPtrArray      *items,
                                        ZidCliJsonItem  item);
void         zid_cli_json_string       (JsonBuilder *json,
                                        const char  *key,
                                        const char  *value);
void         zid_cli_json_int          (JsonBuilder *json,
                                        const char  *key,
                                        gint64       value);
void         zid_cli_json_bool         (JsonBuilder *json,
                                        const char  *key,
                                        gboolean     value);
void         zid_cli_json_time         (JsonBuilder *json,
                                        const char  *key,
                                        gint64       unix_seconds);

/* Shared answers */
char *zid_cli_format_time_local (gint64        t);
/* The answer of a command that hands out a one-time code: @enrolment,
 * the PNG written; or, @enrolment NULL, the refusal @error */
int   zid_cli_print_enrolment   (ZidCli         *cli,
                                 ZidOneTimeCode *enrolment,
                                 ZidQrPng       *png,
                                 const GError   *error);
int   zid_cli_print_users       (ZidCli       *cli,
                                 GPtrArray    *users);
/* --separator of a --csv command: NULL or ";" is ';', "," is ','; anything
 * else is bad usage (FALSE, said on stderr) */
gboolean zid_cli_csv_separator  (ZidCli       *cli,
                                 const char   *text,
                                 char         *separator);

/* The card layer's configuration for this environment (its variables,
 * src/card/zid-card-config.h), the options given winning */
ZidCardConfig *zid_cli_card_config (ZidCli             *cli,
                                    const char         *trust_dir,
                                    const char         *module_path,
                                    gboolean            no_registered,
                                    const char * const *extra_oids);
/* The card's PIN from @pin_file, else asked on the terminal */
ZidPin        *zid_cli_card_pin    (const char         *pin_file,
                                    GError            **error);

G_END_DECLS
