/* zid-cli-server.c — the organisation server and its remote command line
 *
 *   zorgid-admin server run [--listen ADDRESS:PORT] [--min-free-space MIB]
 *   zorgid-admin server connection-code
 *   zorgid-admin --server CONNECTION-CODE login
 *   zorgid-admin [--server CONNECTION-CODE] COMMAND …     (as the one logged in)
 *   zorgid-admin logout
 *
 * `server run` is `service run` (the phone API) plus the admin API
 * (docs/server.md): a remote zorgid-admin logs in with the ZORG-ID app and
 * then sends its commands, which the server runs here, through the same
 * command table, as the administrator who logged in (cli->remote: only the
 * ZID_CLI_REMOTE commands, no --as, no file of the server's). The answer
 * is what the command printed and its exit status, so the remote command
 * line prints the same text and JSON and exits with the same status as a
 * local one.
 *
 * The client keeps its session (the connection code and the token) in
 * $XDG_CONFIG_HOME/zorgid-portaal/ENVIRONMENT/server-session.json (0600),
 * one per environment; while it is there, the commands that run at a
 * server go to that server unless --data-dir or --database says to work on
 * a local store. `logout` ends the session at the server and removes the
 * file.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#define G_LOG_DOMAIN "zid-admin"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zid-admin-client.h"
#include "zid-cli.h"
#include "zid-file.h"

/* How often login asks whether the phone has answered */
#define LOGIN_POLL_MS 1000
/* A file sent with a command: its base64 fits in an admin request */
#define UPLOAD_MAX_BYTES (ZID_SERVICE_MAX_UPLOAD / 4 * 3 - 64 * 1024)

/* The server's side */

int
zid_cli_run_for_client (ZidService  *service,
                        gint64       actor,
                        char       **argv,
                        GBytes      *input,
                        gboolean     json,
                        GString     *out,
                        GString     *err,
                        gpointer     user_data)
{
  ZidCli *server = user_data;
  ZidCli cli = {
    .data_dir = server->data_dir,
    .environment_name = server->environment_name,
    .environment = server->environment,
    .json = json,
    .portal = g_object_ref (zid_service_get_portal (service)),
    .actor = actor,
    .remote = TRUE,
    .input = input,
  };
  int argc = (int) g_strv_length (argv);
  /* GOption takes the options out of the array, not the strings */
  g_autofree char **args = g_memdup2 (argv, sizeof (char *) * (argc + 1));
  int status;

  zid_cli_capture_begin (out, err);
  if (argc == 0)
    status = zid_cli_usage_error (&cli, _("Which command? See zorgid-admin --help"));
  else
    status = zid_cli_run (&cli, "", zid_cli_commands, argc, args);
  zid_cli_capture_end ();

  g_clear_object (&cli.portal);
  g_free (cli.path);
  return status;
}

void
zid_cli_print_connection_code (const char *code)
{
  g_autofree char *qr = zid_qr_terminal (code);
  /* it holds "&": a shell needs it quoted */
  g_autofree char *quoted = g_shell_quote (code);

  g_print (_("Connection code for administrators:\n%s\nThey log in with: zorgid-admin --server %s login\n"),
           code, quoted);
  if (qr != NULL)
    g_print ("%s", qr);
}

static int
cmd_run (ZidCli  *cli,
         int      argc,
         char   **argv)
{
  return zid_cli_serve (cli, "server run", TRUE, argc, argv);
}

static int
cmd_connection_code (ZidCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  if (!zid_cli_parse_args (cli, "server connection-code", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if ((code = zid_portal_dup_connection_code (cli->portal, &error)) == NULL)
    return zid_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "connection_code", code);
      return zid_cli_json_end (json);
    }
  zid_cli_print_connection_code (code);
  return ZID_CLI_DONE;
}

const ZidCliCommand zid_cli_server_commands[] = {
  { "run", cmd_run, N_("run the organisation server: the phone API and the admin API") },
  { "connection-code", cmd_connection_code,
    N_("the code administrators log in with (zorgid-admin --server CODE login)") },
  { NULL }
};

/* The client's side: the session kept */

typedef struct
{
  char   *connection_code;
  char   *token;
  gint64  user;
} Session;

static void
session_free (Session *session)
{
  if (session == NULL)
    return;
  g_free (session->connection_code);
  if (session->token != NULL)
    explicit_bzero (session->token, strlen (session->token));
  g_free (session->token);
  g_free (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static char *
session_path (ZidCli *cli)
{
  return g_build_filename (g_get_user_config_dir (), "zorgid-portaal", cli->environment_name,
                           "server-session.json", NULL);
}

/* NULL when there is none (or it is not one) */
static Session *
session_load (ZidCli *cli)
{
  g_autofree char *path = session_path (cli);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(Session) session = g_new0 (Session, 1);
  JsonObject *o;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  session->connection_code = g_strdup (json_object_get_string_member_with_default (o, "connection_code", NULL));
  session->token = g_strdup (json_object_get_string_member_with_default (o, "token", NULL));
  session->user = json_object_get_int_member_with_default (o, "user", 0);
  if (session->connection_code == NULL || session->token == NULL)
    return NULL;
  return g_steal_pointer (&session);
}

static gboolean
session_save (ZidCli         *cli,
              const Session  *session,
              GError        **error)
{
  g_autofree char *path = session_path (cli);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(JsonBuilder) json = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gboolean ok;
  gsize len;

  json_builder_begin_object (json);
  json_builder_set_member_name (json, "connection_code");
  json_builder_add_string_value (json, session->connection_code);
  json_builder_set_member_name (json, "token");
  json_builder_add_string_value (json, session->token);
  json_builder_set_member_name (json, "user");
  json_builder_add_int_value (json, session->user);
  json_builder_end_object (json);
  root = json_builder_get_root (json);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot make the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  ok = g_file_set_contents_full (path, text, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  explicit_bzero (text, len);
  return ok;
}

static void
session_remove (ZidCli *cli)
{
  g_autofree char *path = session_path (cli);

  g_unlink (path);
}

/* "nl" or "en": the language this command line speaks */
static const char *
client_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "nl"))
        return "nl";
      if (g_str_has_prefix (names[i], "en") || g_str_equal (names[i], "C"))
        return "en";
    }
  return "en";
}

static ZidAdminClient *
open_client (ZidCli      *cli,
             const char  *code,
             GError     **error)
{
  g_autoptr(ZidAdminClient) client = zid_admin_client_new (code, error);

  if (client == NULL)
    return NULL;
  if (zid_admin_client_get_environment (client) != cli->environment)
    {
      g_set_error (error, ZID_ERROR, ZID_ERROR_WRONG_ENVIRONMENT,
                   _("This connection code is for the environment %s, not %s: add --environment %s"),
                   zid_environment_to_string (zid_admin_client_get_environment (client)),
                   cli->environment_name,
                   zid_environment_to_string (zid_admin_client_get_environment (client)));
      return NULL;
    }
  return g_steal_pointer (&client);
}

/* The server's own refusal ({"error", "message"}), as the command line
 * tells its refusals: with the same code, message and exit status */
static int
fail_with_answer (ZidCli     *cli,
                  JsonObject *answer)
{
  const char *code = json_object_get_string_member_with_default (answer, "error", "failed");
  const char *message = json_object_get_string_member_with_default (answer, "message", "");

  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "error", code);
      zid_cli_json_string (json, "message", message);
      zid_cli_json_end (json);
    }
  g_printerr ("zorgid-admin: %s\n", message);
  /* the server ended the session (its user may no longer use the portal) */
  if (g_str_equal (code, zid_error_code_name (ZID_ERROR_SESSION_INVALID)) ||
      g_str_equal (code, zid_error_code_name (ZID_ERROR_NO_PORTAL_ACCESS)) ||
      g_str_equal (code, zid_error_code_name (ZID_ERROR_ACTOR_BLOCKED)))
    session_remove (cli);
  /* as zid_error_exit_status */
  if (g_str_equal (code, zid_error_code_name (ZID_ERROR_INVALID_INPUT)) ||
      g_str_equal (code, zid_error_code_name (ZID_ERROR_NOT_FOUND)))
    return ZID_CLI_USAGE;
  return ZID_CLI_REFUSED;
}

static int
not_logged_in (ZidCli *cli)
{
  g_autoptr(GError) error = g_error_new (ZID_ERROR, ZID_ERROR_SESSION_INVALID,
                                         _("You are not logged in to the server of %s: log in "
                                           "with zorgid-admin --server CONNECTION-CODE login"),
                                         cli->environment_name);

  return zid_cli_fail (cli, error);
}

/* Ends @session at its server; FALSE (and @error) if that did not happen */
static gboolean
end_session (Session     *session,
             guint       *status,
             JsonObject **answer,
             GError     **error)
{
  g_autoptr(ZidAdminClient) client = zid_admin_client_new (session->connection_code, error);

  if (client == NULL)
    return FALSE;
  *answer = zid_admin_client_call (client, "/v1/admin/logout", client_language (), status, error,
                                   "token", session->token, NULL);
  return *answer != NULL;
}

static void
end_at_server (Session *session)
{
  g_autoptr(JsonObject) answer = NULL;
  guint status = 0;

  end_session (session, &status, &answer, NULL);
}

int
zid_cli_login (ZidCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidAdminClient) client = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(Session) session = g_new0 (Session, 1);
  g_autoptr(Session) previous = session_load (cli);
  g_autofree char *name = g_strdup_printf ("zorgid-admin@%s", g_get_host_name ());
  g_autofree char *qr = NULL;
  const char *payload, *token, *expires;
  guint status = 0;

  if (!zid_cli_parse_args (cli, "login", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if (cli->server == NULL)
    return zid_cli_usage_error (cli, _("Say which server with --server CONNECTION-CODE (zorgid-admin "
                                       "server connection-code on the server prints it)"));
  if ((client = open_client (cli, cli->server, &error)) == NULL)
    return zid_cli_fail (cli, error);

  answer = zid_admin_client_call (client, "/v1/admin/login", client_language (), &status, &error,
                                  "client", name, NULL);
  if (answer == NULL)
    return zid_cli_fail (cli, error);
  if (status != 200)
    return fail_with_answer (cli, answer);
  payload = json_object_get_string_member_with_default (answer, "login", "");
  token = json_object_get_string_member_with_default (answer, "token", "");
  expires = json_object_get_string_member_with_default (answer, "expires", "");

  /* the QR first, then the wait */
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "event", "login");
      zid_cli_json_string (json, "login_payload", payload);
      zid_cli_json_string (json, "expires", expires);
      zid_cli_json_end (json);
    }
  else
    {
      qr = zid_qr_terminal (payload);
      g_print (_("Scan this QR code with the ZORG-ID app to log in to %s (valid until %s):\n"),
               zid_admin_client_get_address (client), expires);
      if (qr != NULL)
        g_print ("%s", qr);
      g_print ("%s\n", payload);
      fflush (stdout);
    }

  session->connection_code = g_strdup (cli->server);
  session->token = g_strdup (token);
  for (;;)
    {
      g_autoptr(JsonObject) state = NULL;

      g_usleep (LOGIN_POLL_MS * 1000);
      state = zid_admin_client_call (client, "/v1/admin/session", client_language (), &status,
                                     &error, "token", token, NULL);
      if (state == NULL)
        return zid_cli_fail (cli, error);
      if (status != 200)
        return fail_with_answer (cli, state);
      if (g_strcmp0 (json_object_get_string_member_with_default (state, "state", ""), "active") == 0)
        {
          session->user = json_object_get_int_member_with_default (state, "user", 0);
          break;
        }
    }

  if (!session_save (cli, session, &error))
    return zid_cli_fail (cli, error);
  /* the session this one replaces ends at its server (if it still
   * answers; else it ends by itself when unused) */
  if (previous != NULL)
    end_at_server (previous);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_string (json, "event", "logged-in");
      zid_cli_json_int (json, "user", session->user);
      zid_cli_json_string (json, "server", zid_admin_client_get_address (client));
      return zid_cli_json_end (json);
    }
  g_print (_("Logged in to %s as user %lld; the commands of zorgid-admin now work there, until "
             "zorgid-admin logout\n"), zid_admin_client_get_address (client), (long long) session->user);
  return ZID_CLI_DONE;
}

int
zid_cli_logout (ZidCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(Session) session = NULL;
  gboolean reached;
  guint status = 0;

  if (!zid_cli_parse_args (cli, "logout", NULL, &argc, &argv, 0, 0))
    return ZID_CLI_USAGE;
  if ((session = session_load (cli)) == NULL)
    return not_logged_in (cli);
  /* the session is gone here whatever the server says; one that had
   * ended there already is logged out all the same */
  session_remove (cli);
  reached = end_session (session, &status, &answer, &error);
  if (!reached && !g_error_matches (error, ZID_ADMIN_CLIENT_ERROR, ZID_ADMIN_CLIENT_ERROR_UNREACHABLE))
    return zid_cli_fail (cli, error);
  if (reached && status != 200 &&
      g_strcmp0 (json_object_get_string_member_with_default (answer, "error", ""),
                 zid_error_code_name (ZID_ERROR_SESSION_INVALID)) != 0)
    return fail_with_answer (cli, answer);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) json = zid_cli_json_begin ();

      zid_cli_json_bool (json, "logged_out", TRUE);
      zid_cli_json_bool (json, "server_reached", reached);
      return zid_cli_json_end (json);
    }
  if (!reached)
    g_print (_("Logged out on this computer. The server did not answer (%s); the session there "
               "ends by itself after %d minutes without use\n"), error->message, ZID_ADMIN_SESSION_IDLE / 60);
  g_print (_("Logged out; the commands of zorgid-admin work on this computer's store again\n"));
  return ZID_CLI_DONE;
}

/* The client's side: the commands */

gboolean
zid_cli_remote_wanted (ZidCli  *cli,
                       int      argc,
                       char   **argv)
{
  const ZidCliCommand *command;
  g_autofree char *path = NULL;
  ZidCliFlags flags;

  if (argc < 1 || g_str_equal (argv[0], "login") || g_str_equal (argv[0], "logout"))
    return FALSE;
  /* help is this program's own, and opens nothing */
  for (int i = 0; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      return FALSE;
  command = zid_cli_find (zid_cli_commands, argc, argv, &flags, NULL);
  /* with --server every command that needs a store goes there (and is
   * refused unless it runs there); so does every known one while a
   * session is kept and no local store is named: an administrator logged
   * in to a server is never answered from a store of this computer */
  if (cli->server != NULL)
    return command == NULL || !(flags & ZID_CLI_NO_PORTAL);
  if (command == NULL || (flags & ZID_CLI_NO_PORTAL) || cli->database != NULL ||
      zid_cli_getenv ("ZID_DATABASE") != NULL || cli->data_dir_given)
    return FALSE;
  path = session_path (cli);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* The file a ZID_CLI_UPLOAD command names, in base64, and in @at its
 * word's place in @argv (which the server is to read as "-"): the one word
 * after the command's that is "-" (the standard input) or names a file
 * here. NULL with @error unset when there is none (the server then says
 * what it lacks) */
static char *
read_upload (int       argc,
             char    **argv,
             int       n_words,
             int      *at,
             GError  **error)
{
  g_autofree guint8 *data = NULL;
  gsize length = 0;
  int found = -1;

  for (int i = n_words; i < argc; i++)
    if (g_str_equal (argv[i], "-") ||
        (argv[i][0] != '-' && g_file_test (argv[i], G_FILE_TEST_IS_REGULAR)))
      {
        if (found >= 0)
          return g_set_error (error, ZID_ERROR, ZID_ERROR_INVALID_INPUT,
                              _("Both “%s” and “%s” are files: name one"), argv[found], argv[i]), NULL;
        found = i;
      }
  if (found < 0)
    return NULL;

  data = g_str_equal (argv[found], "-")
           ? zid_file_read_fd (STDIN_FILENO, _("the standard input"), UPLOAD_MAX_BYTES, &length, error)
           : zid_file_read_regular (argv[found], UPLOAD_MAX_BYTES, TRUE, &length, error);
  if (data == NULL)
    return NULL;
  *at = found;
  return g_base64_encode (data, length);
}

int
zid_cli_remote_run (ZidCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidAdminClient) client = NULL;
  g_autoptr(ZidAdminClient) session_client = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(Session) session = NULL;
  g_autoptr(GString) command = g_string_new (NULL);
  g_autofree char *input = NULL;
  const ZidCliCommand *found;
  const char *out, *err;
  ZidCliFlags flags;
  guint status = 0;
  int n_words = 0;
  int upload_at = -1;

  found = zid_cli_find (zid_cli_commands, argc, argv, &flags, &n_words);
  if (found != NULL && !(flags & ZID_CLI_REMOTE))
    {
      g_autoptr(GString) words = g_string_new (NULL);

      for (int i = 0; i < argc && argv[i][0] != '-'; i++)
        g_string_append_printf (words, "%s%s", i ? " " : "", argv[i]);
      return zid_cli_usage_error (cli, _("“zorgid-admin %s” does not run through the server: run it "
                                         "on the server's own computer, or on a store of this "
                                         "computer with --data-dir DIR"), words->str);
    }
  if (cli->database != NULL)
    return zid_cli_usage_error (cli, _("--database names a local store: leave out --server, or "
                                       "--database"));

  if ((session = session_load (cli)) == NULL)
    return not_logged_in (cli);
  if ((client = open_client (cli, cli->server ? cli->server : session->connection_code, &error)) == NULL ||
      (session_client = zid_admin_client_new (session->connection_code, &error)) == NULL)
    return zid_cli_fail (cli, error);
  /* a session is good at every server of its deployment (one TLS identity
   * and database), never at another */
  if (!g_str_equal (zid_admin_client_get_pin (client), zid_admin_client_get_pin (session_client)))
    return not_logged_in (cli);

  if (found != NULL && (flags & ZID_CLI_UPLOAD) && (input = read_upload (argc, argv, n_words, &upload_at, &error)) == NULL &&
      error != NULL)
    return zid_cli_fail_with_status (cli, error, ZID_CLI_USAGE);
  for (int i = 0; i < argc; i++)
    {
      g_autofree char *quoted = g_shell_quote (i == upload_at ? "-" : argv[i]);

      g_string_append_printf (command, "%s%s", i ? " " : "", quoted);
    }
  answer = zid_admin_client_call (client, "/v1/admin/command", client_language (), &status, &error,
                                  "token", session->token, "command", command->str,
                                  "json", cli->json ? "true" : "false",
                                  input ? "input" : NULL, input, NULL);
  if (answer == NULL)
    return zid_cli_fail (cli, error);
  if (status != 200)
    return fail_with_answer (cli, answer);

  out = json_object_get_string_member_with_default (answer, "stdout", "");
  err = json_object_get_string_member_with_default (answer, "stderr", "");
  zid_cli_write (out, strlen (out));
  fputs (err, stderr);
  return (int) json_object_get_int_member_with_default (answer, "status", ZID_CLI_REFUSED);
}
