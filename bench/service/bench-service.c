/* bench-service.c — enrolments per second through the enrolment service,
 * against the raw ECDSA P-256 signing rate of `openssl speed`.
 *
 *   bench-service [--clients 32] [--enrolments 2000] [--mode both|new|keep-alive]
 *                 [--preview] [--workers N] [--dir DIR] [--database URI]
 *                 [--servers N[,N…]]
 *
 * The service runs as it does in `zorgid-admin service run`: a ZidPortal on
 * a fresh data dir, the service on 127.0.0.1 (a free port), its main loop
 * in the main thread. Codes: one registered user each (untimed). Each of
 * --clients threads is a phone on plain OpenSSL (tests/service/
 * zid-test-https.c; its TLS never touches GLib's pool) with an address of
 * its own (127.0.x.y), that takes the next code and enrols: optionally POST
 * /v1/enrolment/preview, then POST /v1/enrolment with a PKCS#10 request for
 * its own EC P-256 key (keys and requests made before the clock starts:
 * that is the phone's work), and checks it got a certificate back. Two ways:
 *
 *   new         a new TCP + TLS connection per enrolment (Connection: close):
 *               what phones do, each enrols once;
 *   keep-alive  one connection per client, kept across its enrolments.
 *
 * Reference: `openssl speed -seconds 3 ecdsap256`, sign/s (one core), run
 * in the same process run. Ratio = enrolments/s ÷ sign/s; target ≥ 0.25.
 *
 * The ceiling, measured in the same run: after each mode the same clients
 * send the same requests to a bare SoupServer with the same TLS certificate
 * whose handler answers at once with a canned answer of an enrolment's size
 * ("bare": what libsoup, TLS, loopback TCP and the clients cost per
 * request, nothing of ours). An enrolment needs at least that, one ECDSA
 * verify (the request) and one sign (the certificate), so no service on
 * this stack does more than CPUs ÷ (bare + 1/verify/s + 1/sign/s), with
 * or without the clients' share of the CPU. Our own checking and issuing
 * is timed on one thread beside it.
 *
 * The in-process service's per-address handshake limit is set to the total
 * one (the clients' addresses all lie in 127/8).
 *
 * --database URI: the store is that (empty) PostgreSQL database; the data
 * dir keeps the keys. Without it SQLite in the data dir (ZID_DATABASE is
 * ignored).
 *
 * --servers N[,N…]: the service runs in `zorgid-admin service run`
 * processes of this build instead, with their default limits, and each
 * enrolment goes to one of them chosen at random (mode new unless --mode
 * says otherwise). Configurations, in this order, one after the other with
 * the same clients and fresh codes and keys made alike: (a) one process on
 * SQLite, the reference; then N processes on one data dir and the
 * --database for each N of the list (without --database: N on SQLite,
 * (a) being the first). Besides enrol/s and the ratio to (a), the CPU
 * per enrolment of the server processes (utime + stime from
 * /proc/PID/stat, before and after), of PostgreSQL (its postmaster and
 * every child, those it reaped meanwhile included; when it runs on this
 * machine) and of the clients (this process), how many of the machine's
 * CPUs were busy (/proc/stat), and the servers' CPU split into the parts
 * measured in the same run: a bare TLS request on a new connection and
 * checking a request and issuing its certificate; from PostgreSQL's own
 * statistics (pg_stat_database) its transactions and its sessions' time in
 * statements and idle inside a transaction, against the wall time.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/evp.h>
#if ZID_ENABLE_POSTGRESQL
#include <libpq-fe.h>
#endif

#include "zid-ca-private.h"
#include "zid-portal.h"
#include "zid-service.h"
#include "zid-mobile.h"
#include "zid-mobile-crypto.h"
#include "zid-test-https.h"

G_DEFINE_QUARK (zid-mobile-error-quark, zid_mobile_error)

#define MAX_SERVERS 8

typedef struct
{
  guint16     ports[MAX_SERVERS]; /* each request goes to one at random */
  guint       n_ports;
  gboolean    keep_alive;
  gboolean    preview;
  char      **bodies;        /* enrol requests */
  char      **previews;      /* preview requests */
  guint       total;
  gint        next;          /* atomic: the next code */
  gint        numbered;      /* atomic: clients given an address */
  gint        done;          /* atomic */
  gint        failed;        /* atomic */
  gint        busy;          /* atomic: 503 answers, retried */
  gint        handshakes;    /* atomic */
  gint        running;       /* atomic: clients still running */
  GMutex      lock;
  double      client_cpu;    /* seconds of CPU of the client threads */
  double      seconds;       /* of the timed part */
  double      cpu;           /* seconds of CPU of the process in it */
} Run;

static gpointer
client_thread (gpointer data)
{
  Run *run = data;
  /* an address of its own, as a phone has: 127.0.1.1, 127.0.1.2, … */
  gint number = g_atomic_int_add (&run->numbered, 1);
  g_autofree char *source = g_strdup_printf ("127.0.%d.%d", 1 + number / 250, 1 + number % 250);
  ZidTestHttps *clients[MAX_SERVERS];
  gint i;

  for (guint s = 0; s < run->n_ports; s++)
    {
      clients[s] = zid_test_https_new (run->ports[s], run->keep_alive);
      zid_test_https_set_source (clients[s], source);
    }

  while ((i = g_atomic_int_add (&run->next, 1)) < (gint) run->total)
    {
      ZidTestHttps *client = clients[run->n_ports > 1 ? g_random_int_range (0, run->n_ports) : 0];
      g_autofree char *body = NULL;
      g_autoptr(GError) error = NULL;
      int retry_after = -1;
      guint status;

      if (run->preview)
        {
          g_autofree char *info = NULL;

          status = zid_test_https_request (client, "POST", "/v1/enrolment/preview",
                                           run->previews[i], &info, NULL, &error);
          if (status != 200)
            {
              g_printerr ("preview %d: %u %s\n", i, status, error ? error->message : info);
              g_atomic_int_inc (&run->failed);
              continue;
            }
        }

      for (;;)
        {
          g_clear_pointer (&body, g_free);
          g_clear_error (&error);
          status = zid_test_https_request (client, "POST", "/v1/enrolment", run->bodies[i],
                                           &body, &retry_after, &error);
          if (status != 503)
            break;
          g_atomic_int_inc (&run->busy);
          g_usleep (MAX (retry_after, 1) * G_USEC_PER_SEC / 10);
        }
      if (status == 200 && body != NULL && strstr (body, "BEGIN CERTIFICATE") != NULL)
        g_atomic_int_inc (&run->done);
      else
        {
          g_printerr ("enrol %d: %u %s\n", i, status, error ? error->message : body);
          g_atomic_int_inc (&run->failed);
        }
    }

  /* this thread's CPU, to tell the service's own share of the process */
  for (guint s = 0; s < run->n_ports; s++)
    {
      g_atomic_int_add (&run->handshakes, (gint) zid_test_https_get_handshakes (clients[s]));
      zid_test_https_free (clients[s]);
    }
  {
    struct timespec cpu;

    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
    g_mutex_lock (&run->lock);
    run->client_cpu += cpu.tv_sec + cpu.tv_nsec / 1e9;
    g_mutex_unlock (&run->lock);
  }
  g_atomic_int_dec_and_test (&run->running);
  g_main_context_wakeup (NULL);
  return NULL;
}
static char *
json_of (const char *first, ...)
{
  g_autoptr(GString) out = g_string_new ("{");
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_autofree char *value = g_strescape (va_arg (args, const char *), NULL);

      g_string_append_printf (out, "%s\"%s\":\"%s\"", out->len > 1 ? "," : "", name, value);
    }
  va_end (args);
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* sign/s of `openssl speed -seconds 3 ecdsap256`; its verify/s in @verify */
static double
openssl_sign_rate (double *verify)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "openssl", "speed", "-seconds", "3", "ecdsap256", NULL };
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    {
      g_printerr ("openssl speed: %s\n", error->message);
      return 0;
    }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = strstr (lines[i], "ecdsa (nistp256)");
      double sign_time, verify_time, sign_rate, verify_rate;

      if (p != NULL &&
          sscanf (p + strlen ("ecdsa (nistp256)"), " %lfs %lfs %lf %lf",
                  &sign_time, &verify_time, &sign_rate, &verify_rate) == 4)
        {
          *verify = verify_rate;
          return sign_rate;
        }
    }
  g_printerr ("openssl speed: no ecdsa (nistp256) line in:\n%s\n", out);
  return 0;
}

static void
die_on (GError *error, const char *what)
{
  if (error != NULL)
    {
      g_printerr ("bench-service: %s: %s\n", what, error->message);
      exit (1);
    }
}

static void
remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  if (system (cmd) != 0)
    g_printerr ("bench-service: could not remove %s\n", dir);
}

static double
rusage_seconds (const struct rusage *usage)
{
  return usage->ru_utime.tv_sec + usage->ru_utime.tv_usec / 1e6 +
         usage->ru_stime.tv_sec + usage->ru_stime.tv_usec / 1e6;
}

/* The timed part: @clients threads take the run's requests until none
 * is left, while this thread runs the main loop (the service's) */
static void
run_clients (Run        *run,
             gint        clients,
             const char *what)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  struct rusage usage_before, usage_after;
  gint64 start;

  if (g_getenv ("BENCH_SERVICE_MARK"))
    {
      /* For a profiler attached from outside: the clock starts now */
      g_printerr ("timing %s\n", what);
      g_usleep (G_USEC_PER_SEC * atoi (g_getenv ("BENCH_SERVICE_MARK")));
    }
  run->running = clients;
  getrusage (RUSAGE_SELF, &usage_before);
  start = g_get_monotonic_time ();
  for (gint c = 0; c < clients; c++)
    g_ptr_array_add (threads, g_thread_new ("phone", client_thread, run));
  while (g_atomic_int_get (&run->running) > 0)
    g_main_context_iteration (NULL, TRUE);
  run->seconds = (g_get_monotonic_time () - start) / 1e6;
  getrusage (RUSAGE_SELF, &usage_after);
  run->cpu = rusage_seconds (&usage_after) - rusage_seconds (&usage_before);
  for (guint c = 0; c < threads->len; c++)
    g_thread_join (g_ptr_array_index (threads, c));
}

/* The bare stack: a SoupServer with the service's TLS certificate that
 * answers every request at once with @answer. Like the service, it turns
 * off Nagle on its connections (an answer must not wait for the client's
 * delayed ACK). */
static void
bare_request_started_cb (SoupServer        *server,
                         SoupServerMessage *msg,
                         gpointer           data)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL && g_object_get_data (G_OBJECT (socket), "bench-nodelay") == NULL)
    {
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      g_object_set_data (G_OBJECT (socket), "bench-nodelay", GINT_TO_POINTER (1));
    }
}

static void
bare_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           answer)
{
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    answer, strlen (answer));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static SoupServer *
bare_server_new (ZidPortal   *portal,
                 const char  *answer,
                 guint16     *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *both = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  SoupServer *server;

  zid_portal_get_service_tls (portal, &cert_pem, &key_pem, &pin, &error);
  die_on (error, "service TLS");
  both = g_strconcat (cert_pem, "\n", key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (both, -1, &error);
  die_on (error, "TLS certificate");

  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, bare_handler, (gpointer) answer, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (bare_request_started_cb), NULL);
  /* the service's backlog: with GLib's default of 10, clients beyond it
   * wait a second for their SYN to be sent again */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  die_on (error, "socket");
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_set_listen_backlog (socket, 256);
  if (g_socket_bind (socket, address, FALSE, &error) && g_socket_listen (socket, &error))
    soup_server_listen_socket (server, socket, SOUP_SERVER_LISTEN_HTTPS, &error);
  die_on (error, "bare server");
  uris = soup_server_get_uris (server);
  *port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return server;
}

/* Seconds per enrolment of checking @n requests and issuing their
 * certificates on one thread: an enrolment's cryptography */
static double
crypto_seconds (char      **csrs,
                guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-ca-XXXXXX", &error);
  g_autofree char *ca_dir = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZidCa *ca;
  struct timespec before, after;

  die_on (error, "temp dir");
  ca_dir = g_build_filename (dir, "ca", NULL);   /* made by zid_ca_open */
  ca = zid_ca_open (ca_dir, "acceptatie", now, NULL, &error);
  die_on (error, "CA");
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &before);
  for (guint i = 0; i < n; i++)
    {
      ZidCaRequest *request = zid_ca_check_request (csrs[i], &error);
      g_autofree char *serial = NULL;
      g_autofree char *cert = NULL;
      gint64 not_before, not_after;

      die_on (error, "request");
      cert = zid_ca_issue_mobile (ca, request, "Bench Mark", i + 1, now,
                                  &serial, &not_before, &not_after, &error);
      die_on (error, "issue");
      zid_ca_request_free (request);
    }
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &after);
  zid_ca_free (ca);
  remove_tree (dir);
  return ((after.tv_sec - before.tv_sec) + (after.tv_nsec - before.tv_nsec) / 1e9) / n;
}

/* A data dir with an organisation and its Administrator: where the codes
 * come from. @database: a PostgreSQL URI, NULL for SQLite in @dir. */
typedef struct
{
  char       *dir;
  char       *database;
  ZidPortal  *portal;
  gint64      admin;
  gint64      org;
  guint       registered;    /* users so far: each a name of its own */
  char       *answer;        /* the bare server's: an enrolment's size */
} Store;

static Store *
store_open (const char *dir,
            const char *database,
            ZidClock   *clock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidOneTimeCode) admin = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autofree char *ca_pem = NULL;
  Store *store = g_new0 (Store, 1);

  store->dir = g_strdup (dir);
  store->database = g_strdup (database);
  g_mkdir_with_parents (dir, 0700);
  if (database != NULL)
    g_setenv ("ZID_DATABASE", database, TRUE);
  store->portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  g_unsetenv ("ZID_DATABASE");
  die_on (error, database != NULL ? database : "portal");

  zid_portal_add_registration (store->portal, "12345678", "Praktijk De Linde", NULL, NULL, NULL, &error);
  die_on (error, database != NULL ? "registration (is the database empty?)" : "registration");
  admin = zid_portal_bootstrap (store->portal, "12345678", "Jan", "Jansen", "1980-01-02", &error);
  die_on (error, "bootstrap");
  store->admin = admin->user_id;
  orgs = zid_portal_list_organisations (store->portal, admin->user_id, &error);
  die_on (error, "organisations");
  store->org = ((ZidOrganisation *) g_ptr_array_index (orgs, 0))->id;
  ca_pem = zid_portal_dup_ca_pem (store->portal, &error);
  die_on (error, "CA");
  store->answer = json_of ("certificate", ca_pem, "chain", ca_pem, NULL);
  return store;
}

static void
store_free (Store *store)
{
  g_free (store->dir);
  g_free (store->database);
  g_clear_object (&store->portal);
  g_free (store->answer);
  g_free (store);
}

/* Untimed: @n codes (the portal's work before the QR is shown) and the
 * phones' keys and requests, as @run's requests; their CSRs */
static char **
make_requests (Store  *store,
               Run    *run,
               guint   n)
{
  g_autoptr(GError) error = NULL;
  char **csrs = g_new0 (char *, n + 1);

  run->total = n;
  run->bodies = g_new0 (char *, n + 1);
  run->previews = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *first = g_strdup_printf ("Bench%u", store->registered++);
      g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (store->portal, store->admin, store->org,
                                                            first, "Mark", "1990-03-04", &error);
      g_autoptr(EVP_PKEY) key = NULL;

      die_on (error, "register");
      key = zid_mobile_key_generate (&error);
      die_on (error, "key");
      csrs[i] = zid_mobile_csr_new (key, &error);
      die_on (error, "csr");
      run->bodies[i] = json_of ("code", e->code, "csr", csrs[i], NULL);
      run->previews[i] = json_of ("code", e->code, NULL);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return csrs;
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->bodies, g_strfreev);
  g_clear_pointer (&run->previews, g_strfreev);
}

/* The same clients and requests as @like's against the bare stack */
static void
bare_run (Store      *store,
          const Run  *like,
          gint        clients,
          Run        *bare)
{
  g_autoptr(SoupServer) server = bare_server_new (store->portal, store->answer, &bare->ports[0]);

  bare->n_ports = 1;
  bare->keep_alive = like->keep_alive;
  bare->bodies = like->bodies;
  bare->total = like->total;
  run_clients (bare, clients, "bare");
  soup_server_disconnect (server);
}

/* The in-process service, each mode in turn */
static void
bench_in_process (Store        *store,
                  const char  **modes,
                  guint         n_modes,
                  gint          clients,
                  gint          enrolments,
                  gboolean      preview,
                  gint          workers,
                  double        sign_rate,
                  double        verify_rate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidService) service = zid_service_new (store->portal);
  double bare_cpu[2] = { 0 }, bare_service_cpu[2] = { 0 };
  double crypto = 0, raw;
  guint n_cpus = g_get_num_processors ();

  zid_service_set_throttle (service, G_MAXUINT, G_MAXUINT, 600);
  zid_service_set_connection_limits (service, 512, 512);
  zid_service_set_handshake_limits (service, ZID_SERVICE_MAX_HANDSHAKES, ZID_SERVICE_MAX_HANDSHAKES);
  zid_service_set_workers (service, workers, ZID_SERVICE_MAX_QUEUE);
  zid_service_start (service, "127.0.0.1:0", &error);
  die_on (error, "service");

  g_print ("\n%-11s %7s %10s %8s %9s %9s %8s %6s %7s %12s %12s\n",
           "mode", "clients", "enrolments", "seconds", "enrol/s", "sign/s", "ratio", "busy", "TLS hs",
           "CPU ms/enrol", "service ms");
  for (guint m = 0; m < n_modes; m++)
    {
      Run run = { 0 };
      Run bare = { 0 };
      ZidServiceStats before, after;
      g_auto(GStrv) csrs = NULL;
      double rate;

      run.ports[0] = zid_service_get_port (service);
      run.n_ports = 1;
      run.keep_alive = g_str_equal (modes[m], "keep-alive");
      run.preview = preview;
      csrs = make_requests (store, &run, enrolments);

      zid_service_get_stats (service, &before);
      run_clients (&run, clients, modes[m]);
      zid_service_get_stats (service, &after);

      rate = run.done / run.seconds;
      g_print ("%-11s %7d %10d %8.2f %9.1f %9.0f %8.4f %6d %7d %12.3f %12.3f%s\n",
               modes[m], clients, run.done, run.seconds, rate, sign_rate,
               sign_rate > 0 ? rate / sign_rate : 0.0, run.busy, run.handshakes,
               run.done ? run.cpu * 1000 / run.done : 0.0,
               run.done ? (run.cpu - run.client_cpu) * 1000 / run.done : 0.0,
               run.failed ? "  (failures!)" : "");
      if (after.enrolments - before.enrolments != (guint64) run.done)
        g_printerr ("bench-service: the service counted %" G_GUINT64_FORMAT " enrolments, clients %d\n",
                    after.enrolments - before.enrolments, run.done);

      /* The same requests, the same clients, nothing of ours answering */
      bare_run (store, &run, clients, &bare);
      bare_cpu[m] = bare.done ? bare.cpu / bare.done : 0;
      bare_service_cpu[m] = bare.done ? (bare.cpu - bare.client_cpu) / bare.done : 0;
      g_print ("%-11s %7d %10d %8.2f %9.1f %9s %8s %6s %7d %12.3f %12.3f%s\n",
               "  bare", clients, bare.done, bare.seconds, bare.done / bare.seconds, "", "", "",
               bare.handshakes, bare_cpu[m] * 1000, bare_service_cpu[m] * 1000,
               bare.failed ? "  (failures!)" : "");

      if (m == 0)
        crypto = crypto_seconds (csrs, MIN (enrolments, 1000));
      run_clear (&run);
    }

  g_print ("\nratio = enrol/s ÷ ECDSA P-256 sign/s; target ≥ 0.25 (docs: DESIGN.md §6)\n"
           "CPU ms/enrol: the whole process (service and clients); service ms: without the\n"
           "client threads (what phones elsewhere would leave this machine)\n"
           "bare: the same clients and requests against a SoupServer with the same TLS\n"
           "certificate answering at once with a canned answer (libsoup, TLS, TCP, clients)\n");
  /* The least an enrolment can cost: a bare request, verifying the
   * request's signature and signing the certificate (openssl speed) */
  raw = sign_rate > 0 && verify_rate > 0 ? 1 / sign_rate + 1 / verify_rate : 0;
  g_print ("\nCeiling on this machine (%u CPUs), for any service on this stack: CPUs ÷ (a bare\n"
           "request's CPU + one ECDSA verify and one sign at openssl speed's rates, %.3f ms).\n"
           "Ours checks a request and issues its certificate in %.3f ms (one thread).\n",
           n_cpus, raw * 1000, crypto * 1000);
  g_print ("%-11s %8s %10s %8s   %s\n", "mode", "bare ms", "ceiling/s", "ratio",
           "without the phones' CPU: ceiling/s, ratio");
  for (guint m = 0; m < n_modes; m++)
    {
      double all = n_cpus / (bare_cpu[m] + raw);
      double service_only = n_cpus / (bare_service_cpu[m] + raw);

      g_print ("%-11s %8.3f %10.0f %8.4f   %10.0f %8.4f\n", modes[m], bare_cpu[m] * 1000,
               all, sign_rate > 0 ? all / sign_rate : 0.0,
               service_only, sign_rate > 0 ? service_only / sign_rate : 0.0);
    }

  zid_service_stop (service);
  while (zid_service_get_busy (service) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* --- the service as `zorgid-admin service run` processes --- */

/* From /proc/PID/stat: the parent's pid, the process's CPU seconds
 * (utime + stime) and those of the children it has reaped (cutime +
 * cstime). FALSE when there is no such process. */
static gboolean
proc_stat (pid_t   pid,
           pid_t  *ppid,
           double *self,
           double *reaped)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  double tick = sysconf (_SC_CLK_TCK);
  const char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) ||
      (end = strrchr (text, ')')) == NULL || end[1] == '\0')
    return FALSE;
  /* fields[0] is the state (field 3): ppid is field 4, utime 14, stime
   * 15, cutime 16, cstime 17 */
  fields = g_strsplit (end + 2, " ", -1);
  if (g_strv_length (fields) < 15)
    return FALSE;
  if (ppid != NULL)
    *ppid = atoi (fields[1]);
  if (self != NULL)
    *self = (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / tick;
  if (reaped != NULL)
    *reaped = (g_ascii_strtod (fields[13], NULL) + g_ascii_strtod (fields[14], NULL)) / tick;
  return TRUE;
}

/* The postmaster of @database when it runs on this machine (the parent of
 * the backend a connection gets), else 0 */
static pid_t
postgres_postmaster (const char *database)
{
  pid_t postmaster = 0;
#if ZID_ENABLE_POSTGRESQL
  PGconn *conn = PQconnectdb (database);

  if (PQstatus (conn) != CONNECTION_OK || !proc_stat (PQbackendPID (conn), &postmaster, NULL, NULL))
    postmaster = 0;
  PQfinish (conn);
#endif
  return postmaster;
}

/* What PostgreSQL's statistics tell of a database so far
 * (pg_stat_database: each backend reports its own when idle a while and
 * when it ends) */
typedef struct
{
  double      committed;     /* transactions */
  double      rolled_back;
  double      active;        /* ms its sessions spent running statements */
  double      idle_in_xact;  /* ms they spent in a transaction, waiting for the client */
} PgStats;

static gboolean
postgres_stats (const char *database,
                PgStats    *stats)
{
  gboolean read = FALSE;
#if ZID_ENABLE_POSTGRESQL
  PGconn *conn = PQconnectdb (database);
  PGresult *result = NULL;

  if (PQstatus (conn) == CONNECTION_OK &&
      (result = PQexec (conn, "SELECT xact_commit, xact_rollback, active_time, idle_in_transaction_time "
                              "FROM pg_stat_database WHERE datname = current_database ()")) != NULL &&
      PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    {
      stats->committed = g_ascii_strtod (PQgetvalue (result, 0, 0), NULL);
      stats->rolled_back = g_ascii_strtod (PQgetvalue (result, 0, 1), NULL);
      stats->active = g_ascii_strtod (PQgetvalue (result, 0, 2), NULL);
      stats->idle_in_xact = g_ascii_strtod (PQgetvalue (result, 0, 3), NULL);
      read = TRUE;
    }
  PQclear (result);
  PQfinish (conn);
#endif
  return read;
}

/* CPU seconds of a PostgreSQL server so far: its postmaster's, the
 * children's it has reaped, and those of its children running */
static double
postgres_cpu (pid_t postmaster)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  double own, reaped, sum;

  if (postmaster <= 0 || proc == NULL || !proc_stat (postmaster, NULL, &own, &reaped))
    return 0;
  sum = own + reaped;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      pid_t ppid;
      double cpu;

      if (g_ascii_isdigit (name[0]) && proc_stat (atoi (name), &ppid, &cpu, NULL) && ppid == postmaster)
        sum += cpu;
    }
  return sum;
}

/* CPU seconds this machine's processors have been busy so far, all of
 * them together (/proc/stat: user, nice, system, irq, softirq) */
static double
machine_cpu (void)
{
  g_autofree char *text = NULL;
  unsigned long long user, nice, system, idle, iowait, irq, softirq;

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) ||
      sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu",
              &user, &nice, &system, &idle, &iowait, &irq, &softirq) != 7)
    return 0;
  return (double) (user + nice + system + irq + softirq) / sysconf (_SC_CLK_TCK);
}

typedef struct
{
  GPid        pid;
  guint16     port;
  int         out;           /* its stdout */
  char       *log;           /* its stderr */
} Server;

/* `zorgid-admin --json service run` of this build on @store's data dir
 * and database, on a free port of 127.0.0.1; returns when it listens */
static void
server_start (Server *server,
              Store  *store,
              guint   number)
{
  g_autoptr(GError) error = NULL;
  const char *argv[12] = { ZID_ADMIN_PATH, "--json", "--data-dir" };
  guint n = 3;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(JsonNode) json = NULL;
  g_auto(GStrv) env = g_get_environ ();
  char c;
  int log;

  argv[n++] = store->dir;
  if (store->database != NULL)
    {
      argv[n++] = "--database";
      argv[n++] = store->database;
    }
  argv[n++] = "service";
  argv[n++] = "run";
  argv[n++] = "--listen";
  argv[n++] = "127.0.0.1:0";
  /* its log in English: its enrolments are counted there */
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_unsetenv (env, "LANGUAGE");

  server->log = g_strdup_printf ("%s/server%u.log", store->dir, number);
  log = open (server->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0)
    {
      g_printerr ("bench-service: %s: %s\n", server->log, g_strerror (errno));
      exit (1);
    }
  g_spawn_async_with_pipes_and_fds (NULL, argv, (const char * const *) env,
                                    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, -1, log, NULL, NULL, 0,
                                    &server->pid, NULL, &server->out, NULL, &error);
  close (log);
  die_on (error, ZID_ADMIN_PATH);

  /* its first line once it listens: {"listening":…,"port":PORT,…} */
  while (read (server->out, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  json = json_from_string (line->str, NULL);
  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json) ||
      (server->port = json_object_get_int_member_with_default (json_node_get_object (json), "port", 0)) == 0)
    {
      g_autofree char *text = NULL;

      g_file_get_contents (server->log, &text, NULL, NULL);
      g_printerr ("bench-service: service run %u did not start:\n%s%s\n", number, line->str, text ? text : "");
      exit (1);
    }
}

/* SIGTERM, as an operator stops it; the enrolments its log tells of */
static guint
server_stop (Server *server)
{
  g_autofree char *text = NULL;
  guint enrolled = 0;
  int status = 0;

  kill (server->pid, SIGTERM);
  waitpid (server->pid, &status, 0);
  g_spawn_close_pid (server->pid);
  close (server->out);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_printerr ("bench-service: service run (%s) ended with status %d\n", server->log, status);
  if (g_file_get_contents (server->log, &text, NULL, NULL))
    for (const char *p = text; (p = strstr (p, "enrolled a mobile ID")) != NULL; p++)
      enrolled++;
  g_clear_pointer (&server->log, g_free);
  return enrolled;
}

typedef struct
{
  char        name[32];      /* "(a) SQLite" */
  Store      *store;
  guint       n_servers;
  pid_t       postmaster;    /* 0: SQLite, or PostgreSQL elsewhere */
  /* measured */
  guint       done;
  guint       enrolled[MAX_SERVERS];  /* as each server's log tells */
  double      rate;
  double      servers;       /* CPU seconds of the server processes */
  double      postgres;      /* of PostgreSQL */
  double      clients;       /* of this process */
  double      machine;       /* of the whole machine */
  double      seconds;
  gboolean    has_stats;     /* PostgreSQL's statistics were read: */
  PgStats     stats;         /* what they counted in the run */
} Config;

static double
servers_cpu (const Server *servers,
             guint         n)
{
  double sum = 0;

  for (guint s = 0; s < n; s++)
    {
      double cpu = 0;

      proc_stat (servers[s].pid, NULL, &cpu, NULL);
      sum += cpu;
    }
  return sum;
}

/* @run's requests sent by @clients to @config's servers, started for it
 * and stopped afterwards; the timed part's CPU into @config */
static void
run_config (Config *config,
            Run    *run,
            gint    clients)
{
  Server servers[MAX_SERVERS] = { { 0 } };
  guint sum = 0;
  double servers_before, postgres_before, machine_before;
  PgStats stats_before = { 0 };
  gboolean counted = config->store->database != NULL &&
                     postgres_stats (config->store->database, &stats_before);

  for (guint s = 0; s < config->n_servers; s++)
    {
      server_start (&servers[s], config->store, s + 1);
      run->ports[s] = servers[s].port;
    }
  run->n_ports = config->n_servers;

  servers_before = servers_cpu (servers, config->n_servers);
  postgres_before = postgres_cpu (config->postmaster);
  machine_before = machine_cpu ();
  run_clients (run, clients, config->name);
  config->servers = servers_cpu (servers, config->n_servers) - servers_before;
  config->postgres = postgres_cpu (config->postmaster) - postgres_before;
  config->machine = machine_cpu () - machine_before;
  config->clients = run->cpu;
  config->seconds = run->seconds;
  config->done = run->done;
  config->rate = run->done / run->seconds;

  for (guint s = 0; s < config->n_servers; s++)
    sum += config->enrolled[s] = server_stop (&servers[s]);
  /* the servers' starts and stops included (a few transactions) */
  config->has_stats = counted && postgres_stats (config->store->database, &config->stats);
  if (config->has_stats)
    {
      config->stats.committed -= stats_before.committed;
      config->stats.rolled_back -= stats_before.rolled_back;
      config->stats.active -= stats_before.active;
      config->stats.idle_in_xact -= stats_before.idle_in_xact;
    }
  if (sum != (guint) run->done)
    g_printerr ("bench-service: the servers logged %u enrolments, the clients got %d\n", sum, run->done);
}

static double
per_enrolment_ms (double  seconds,
                  guint   done)
{
  return done ? seconds * 1000 / done : 0;
}

/* PostgreSQL's CPU ms per enrolment in @buf, "-" where it was not counted */
static const char *
postgres_ms (const Config *config,
             char          buf[16])
{
  if (config->postmaster > 0)
    g_snprintf (buf, 16, "%7.3f", per_enrolment_ms (config->postgres, config->done));
  else
    g_strlcpy (buf, "      -", 16);
  return buf;
}

/* PostgreSQL's statistics per enrolment: transactions committed +
 * rolled back, ms in statements and ms idle in a transaction */
static const char *
transactions (const Config *config,
              char          buf[40])
{
  const PgStats *stats = &config->stats;

  if (config->has_stats && config->done > 0)
    g_snprintf (buf, 40, "%4.2f+%4.2f %7.3f %7.3f", stats->committed / config->done,
                stats->rolled_back / config->done, stats->active / config->done,
                stats->idle_in_xact / config->done);
  else
    g_snprintf (buf, 40, "%9s %7s %7s", "-", "-", "-");
  return buf;
}

/* (a) one server on SQLite, then @counts servers on @database each */
static void
bench_servers (const char   *dir,
               const char   *database,
               char        **counts,
               ZidClock     *clock,
               const char  **modes,
               guint         n_modes,
               gint          clients,
               gint          enrolments,
               gboolean      preview)
{
  g_autofree char *sqlite_dir = g_build_filename (dir, "sqlite", NULL);
  g_autofree char *pg_dir = g_build_filename (dir, "pg", NULL);
  Store *sqlite = store_open (sqlite_dir, NULL, clock);
  Store *pg = database != NULL ? store_open (pg_dir, database, clock) : NULL;
  pid_t postmaster = database != NULL ? postgres_postmaster (database) : 0;
  Config configs[16];
  guint n_configs = 0;
  char postgres[16], txns[40];
  guint n_cpus = g_get_num_processors ();

  if (pg != NULL)
    configs[n_configs++] = (Config) { .store = sqlite, .n_servers = 1 };
  for (guint i = 0; counts[i] != NULL && n_configs < G_N_ELEMENTS (configs); i++)
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (counts[i], 10, 1, MAX_SERVERS, &n, NULL))
        {
          g_printerr ("bench-service: --servers: numbers from 1 to %d\n", MAX_SERVERS);
          exit (2);
        }
      configs[n_configs++] = (Config) { .store = pg ? pg : sqlite, .n_servers = n, .postmaster = postmaster };
    }
  for (guint c = 0; c < n_configs; c++)
    g_snprintf (configs[c].name, sizeof configs[c].name, "(%c) %s", 'a' + c,
                configs[c].store->database ? "PostgreSQL" : "SQLite");
  if (database != NULL && postmaster == 0)
    g_print ("PostgreSQL does not run on this machine (or cannot be seen): its CPU is not counted\n");

  for (guint m = 0; m < n_modes; m++)
    {
      Run bare = { 0 };
      double crypto = 0, bare_ms, crypto_ms;

      g_print ("\n%s: %d enrolments per configuration, %d clients, %s,\n"
               "each enrolment to a server chosen at random\n\n", modes[m], enrolments, clients,
               g_str_equal (modes[m], "new") ? "a new TCP + TLS connection per enrolment"
                                             : "one kept-alive connection per client and server");
      g_print ("%-16s %7s %8s %7s %8s %6s %5s | %-33s | %s\n", "", "", "", "", "", "", "",
               "CPU ms per enrolment", "CPUs busy");
      g_print ("%-16s %7s %8s %7s %8s %6s %5s | %7s %7s %7s %7s | %5s %7s\n",
               "configuration", "servers", "enrolled", "seconds", "enrol/s", "x (a)", "busy",
               "servers", "postgr.", "clients", "all", "ours", "machine");
      for (guint c = 0; c < n_configs; c++)
        {
          Config *config = &configs[c];
          Run run = { 0 };
          g_auto(GStrv) csrs = NULL;

          run.keep_alive = g_str_equal (modes[m], "keep-alive");
          run.preview = preview;
          csrs = make_requests (config->store, &run, enrolments);
          run_config (config, &run, clients);
          g_print ("%-16s %7u %8u %7.2f %8.1f %6.2f %5d | %7.3f %s %7.3f %7.3f | %5.2f %7.2f%s\n",
                   config->name, config->n_servers, config->done, config->seconds, config->rate,
                   configs[0].rate > 0 ? config->rate / configs[0].rate : 0.0, run.busy,
                   per_enrolment_ms (config->servers, config->done), postgres_ms (config, postgres),
                   per_enrolment_ms (config->clients, config->done),
                   per_enrolment_ms (config->servers + config->postgres + config->clients, config->done),
                   (config->servers + config->postgres + config->clients) / config->seconds,
                   config->machine / config->seconds, run.failed ? "  (failures!)" : "");
          if (config->n_servers > 1)
            {
              g_print ("%-16s enrolments per server:", "");
              for (guint s = 0; s < config->n_servers; s++)
                g_print (" %u", config->enrolled[s]);
              g_print ("\n");
            }

          /* after (a): the parts, with its requests */
          if (c == 0)
            {
              bare_run (sqlite, &run, clients, &bare);
              crypto = crypto_seconds (csrs, MIN (enrolments, 1000));
            }
          run_clear (&run);
        }

      bare_ms = per_enrolment_ms (bare.cpu - bare.client_cpu, bare.done);
      crypto_ms = crypto * 1000;
      g_print ("\nParts of a server's CPU per enrolment, measured in this run (ms):\n"
               "  %6.3f  TLS handshake and an answer on a new connection: a bare SoupServer with the\n"
               "          service's certificate, the same clients and requests (%u answered, %.0f/s)\n"
               "  %6.3f  checking the request and issuing its certificate (ECDSA verify and sign), one thread\n",
               bare_ms, bare.done, bare.seconds > 0 ? bare.done / bare.seconds : 0.0, crypto_ms);
      g_print ("\n%-16s %7s | %7s %7s %7s | %7s %9s %7s %7s | %7s | %9s %6s\n", "ms per enrolment",
               "servers", "TLS", "ECDSA", "rest", "postgr.", "commit+rb", "in stmt", "idle tx",
               "wall", "ceiling/s", "x (a)");
      for (guint c = 0; c < n_configs; c++)
        {
          Config *config = &configs[c];
          double servers = per_enrolment_ms (config->servers, config->done);
          double all = per_enrolment_ms (config->servers + config->postgres + config->clients, config->done);
          double all_a = per_enrolment_ms (configs[0].servers + configs[0].postgres + configs[0].clients,
                                           configs[0].done);

          g_print ("%-16s %7.3f | %7.3f %7.3f %7.3f | %s %s | %7.3f | %9.0f %6.2f\n", config->name,
                   servers, bare_ms, crypto_ms, servers - bare_ms - crypto_ms, postgres_ms (config, postgres),
                   transactions (config, txns), per_enrolment_ms (config->seconds, config->done),
                   all > 0 ? n_cpus * 1000 / all : 0.0, all > 0 ? all_a / all : 0.0);
        }
      g_print ("\nTLS and ECDSA: the parts above; rest: the server's other work per enrolment\n"
               "(the store: SQLite inside the process, or libpq's side of PostgreSQL; the\n"
               "request's HTTP and JSON, the audit event, the seal, its log line).\n"
               "postgr.: PostgreSQL's processes' CPU. From pg_stat_database (the servers' start\n"
               "and stop included): commit+rb, transactions committed and rolled back; in stmt,\n"
               "its sessions' time running statements (waiting for a lock included); idle tx,\n"
               "their time inside a transaction waiting for the server's next statement.\n"
               "wall: seconds / enrolments. A server has one database connection, used by one\n"
               "enrolment at a time, and every writer takes one lock in the database: when in\n"
               "stmt + idle tx come near wall, that lane, not the CPUs, sets the rate.\n"
               "CPUs busy: ours = (servers + PostgreSQL + clients) / seconds; machine: all of\n"
               "this machine's %u CPUs (/proc/stat), other programs included.\n"
               "ceiling/s = %u CPUs / all CPU ms per enrolment: the rate if the CPUs did nothing\n"
               "else and nothing waited. More server processes add no CPU: with the CPUs busy,\n"
               "enrol/s follows the CPU an enrolment costs, wherever it is spent.\n", n_cpus, n_cpus);
    }

  store_free (sqlite);
  g_clear_pointer (&pg, store_free);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *database = NULL;
  g_autofree char *servers = NULL;
  gint clients = 32, enrolments = 2000, workers = 0;
  gboolean preview = FALSE, keep = FALSE;
  const char *modes[2];
  guint n_modes = 0;
  double sign_rate, verify_rate = 0;
  GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &clients, "Concurrent clients (32)", "N" },
    { "enrolments", 0, 0, G_OPTION_ARG_INT, &enrolments, "Enrolments per mode and configuration (2000)", "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "both, new or keep-alive (default both; new with --servers)", "MODE" },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, "Preview before each enrolment", NULL },
    { "workers", 0, 0, G_OPTION_ARG_INT, &workers, "Service worker threads (0: default; in-process only)", "N" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database, "An empty PostgreSQL database as the store", "URI" },
    { "servers", 0, 0, G_OPTION_ARG_STRING, &servers,
      "zorgid-admin service run processes: one on SQLite, then N on --database for each N", "N[,N…]" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Data dir (fresh; default a temp dir)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the data dir", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— enrolment service throughput");

  setlocale (LC_CTYPE, "");   /* the tables' characters; numbers stay C's */
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-service: %s\n", error->message);
      return 2;
    }
  if (mode == NULL)
    mode = g_strdup (servers != NULL ? "new" : "both");
  if (g_str_equal (mode, "both") || g_str_equal (mode, "new"))
    modes[n_modes++] = "new";
  if (g_str_equal (mode, "both") || g_str_equal (mode, "keep-alive"))
    modes[n_modes++] = "keep-alive";
  if (n_modes == 0 || clients < 1 || enrolments < 1)
    {
      g_printerr ("bench-service: --mode is both, new or keep-alive\n");
      return 2;
    }
  /* the store is --database's or SQLite in the data dir, whatever the
   * environment says (the server processes inherit it) */
  g_unsetenv ("ZID_DATABASE");

  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("bench-service-XXXXXX", &error);
      die_on (error, "temp dir");
    }
  clock = zid_clock_new_fixed (g_get_real_time () / G_USEC_PER_SEC);

  g_print ("Reference: openssl speed -seconds 3 ecdsap256 …\n");
  sign_rate = openssl_sign_rate (&verify_rate);
  g_print ("  ECDSA P-256 sign/s (one core): %.0f (verify/s %.0f)\n", sign_rate, verify_rate);

  if (servers != NULL)
    {
      g_auto(GStrv) counts = g_strsplit (servers, ",", -1);

      bench_servers (dir, database, counts, clock, modes, n_modes, clients, enrolments, preview);
    }
  else
    {
      Store *store = store_open (dir, database, clock);

      bench_in_process (store, modes, n_modes, clients, enrolments, preview, workers,
                        sign_rate, verify_rate);
      store_free (store);
    }

  if (!keep)
    remove_tree (dir);
  return 0;
}
