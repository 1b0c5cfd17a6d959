/* bench-service.c — enrolments per second through the enrolment service,
 * against the raw ECDSA P-256 signing rate of `openssl speed`.
 *
 *   bench-service [--clients 32] [--enrolments 2000] [--mode both|new|keep-alive]
 *                 [--preview] [--workers N] [--dir DIR]
 *
 * The service runs as it does in `zorgid-admin service run`: a ZidPortal on
 * a fresh data dir, the service on 127.0.0.1 (a free port), its main loop
 * in the main thread. Codes: one registered user each (untimed). Each of
 * --clients threads is a phone on plain OpenSSL (tests/service/
 * zid-test-https.c; its TLS never touches GLib's pool) that takes the next
 * code and enrols: optionally POST /v1/enrolment/preview, then POST
 * /v1/enrolment with a PKCS#10 request for its own EC P-256 key (keys and
 * requests made before the clock starts: that is the phone's work), and
 * checks it got a certificate back. Two ways:
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
 * All clients come from 127.0.0.1: the per-address handshake limit is set
 * to the total one, as for 32 phones with addresses of their own.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <time.h>

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <openssl/evp.h>

#include "zid-ca-private.h"
#include "zid-portal.h"
#include "zid-service.h"
#include "zid-mobile.h"
#include "zid-mobile-crypto.h"
#include "zid-test-https.h"

G_DEFINE_QUARK (zid-mobile-error-quark, zid_mobile_error)

typedef struct
{
  guint16     port;
  gboolean    keep_alive;
  gboolean    preview;
  char      **bodies;        /* enrol requests */
  char      **previews;      /* preview requests */
  guint       total;
  gint        next;          /* atomic: the next code */
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
  g_autoptr(ZidTestHttps) client = zid_test_https_new (run->port, run->keep_alive);
  gint i;

  while ((i = g_atomic_int_add (&run->next, 1)) < (gint) run->total)
    {
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

  g_atomic_int_add (&run->handshakes, (gint) zid_test_https_get_handshakes (client));
  /* this thread's CPU, to tell the service's own share of the process */
  g_clear_pointer (&client, zid_test_https_free);
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

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidService) service = NULL;
  g_autoptr(ZidOneTimeCode) admin = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mode = g_strdup ("both");
  gint clients = 32, enrolments = 2000, workers = 0;
  gboolean preview = FALSE, keep = FALSE;
  const char *modes[2];
  guint n_modes = 0;
  double sign_rate, verify_rate = 0;
  double bare_cpu[2] = { 0 }, bare_service_cpu[2] = { 0 };
  double crypto = 0, raw;
  guint n_cpus = g_get_num_processors ();
  g_autofree char *ca_pem = NULL;
  g_autofree char *answer = NULL;
  char **csrs = NULL;
  gint64 org;
  GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &clients, "Concurrent clients (32)", "N" },
    { "enrolments", 0, 0, G_OPTION_ARG_INT, &enrolments, "Enrolments per mode (2000)", "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "both, new or keep-alive", "MODE" },
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, "Preview before each enrolment", NULL },
    { "workers", 0, 0, G_OPTION_ARG_INT, &workers, "Service worker threads (0: default)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Data dir (fresh; default a temp dir)", "DIR" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the data dir", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— enrolment service throughput");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-service: %s\n", error->message);
      return 2;
    }
  if (g_str_equal (mode, "both") || g_str_equal (mode, "new"))
    modes[n_modes++] = "new";
  if (g_str_equal (mode, "both") || g_str_equal (mode, "keep-alive"))
    modes[n_modes++] = "keep-alive";
  if (n_modes == 0 || clients < 1 || enrolments < 1)
    {
      g_printerr ("bench-service: --mode is both, new or keep-alive\n");
      return 2;
    }

  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("bench-service-XXXXXX", &error);
      die_on (error, "temp dir");
    }
  clock = zid_clock_new_fixed (g_get_real_time () / G_USEC_PER_SEC);
  portal = zid_portal_open (dir, ZID_ENVIRONMENT_ACCEPTATIE, clock, &error);
  die_on (error, "portal");

  g_print ("Reference: openssl speed -seconds 3 ecdsap256 …\n");
  sign_rate = openssl_sign_rate (&verify_rate);
  g_print ("  ECDSA P-256 sign/s (one core): %.0f (verify/s %.0f)\n", sign_rate, verify_rate);

  service = zid_service_new (portal);
  zid_service_set_throttle (service, G_MAXUINT, G_MAXUINT, 600);
  zid_service_set_connection_limits (service, 512, 512);
  zid_service_set_handshake_limits (service, ZID_SERVICE_MAX_HANDSHAKES, ZID_SERVICE_MAX_HANDSHAKES);
  zid_service_set_workers (service, workers, ZID_SERVICE_MAX_QUEUE);
  zid_service_start (service, "127.0.0.1:0", &error);
  die_on (error, "service");

  zid_portal_add_registration (portal, "12345678", "Praktijk De Linde", NULL, NULL, NULL, &error);
  die_on (error, "registration");
  admin = zid_portal_bootstrap (portal, "12345678", "Jan", "Jansen", "1980-01-02", &error);
  die_on (error, "bootstrap");
  orgs = zid_portal_list_organisations (portal, admin->user_id, &error);
  die_on (error, "organisations");
  org = ((ZidOrganisation *) g_ptr_array_index (orgs, 0))->id;
  /* the bare server's answer: an enrolment's size (a certificate and the chain) */
  ca_pem = zid_portal_dup_ca_pem (portal, &error);
  die_on (error, "CA");
  answer = json_of ("certificate", ca_pem, "chain", ca_pem, NULL);

  g_print ("\n%-11s %7s %10s %8s %9s %9s %8s %6s %7s %12s %12s\n",
           "mode", "clients", "enrolments", "seconds", "enrol/s", "sign/s", "ratio", "busy", "TLS hs",
           "CPU ms/enrol", "service ms");
  for (guint m = 0; m < n_modes; m++)
    {
      Run run = { 0 };
      Run bare = { 0 };
      ZidServiceStats before, after;
      double rate;

      run.port = zid_service_get_port (service);
      run.keep_alive = g_str_equal (modes[m], "keep-alive");
      run.preview = preview;
      run.total = enrolments;
      run.bodies = g_new0 (char *, enrolments + 1);
      run.previews = g_new0 (char *, enrolments + 1);
      csrs = g_new0 (char *, enrolments + 1);

      /* Untimed: the codes (the portal's work before the QR is shown) and
       * the phones' keys and requests */
      for (gint i = 0; i < enrolments; i++)
        {
          g_autofree char *first = g_strdup_printf ("Bench%d", i);
          g_autoptr(ZidOneTimeCode) e = zid_portal_register_user (portal, admin->user_id, org, first,
                                                                modes[m], "1990-03-04", &error);
          g_autoptr(EVP_PKEY) key = NULL;

          die_on (error, "register");
          key = zid_mobile_key_generate (&error);
          die_on (error, "key");
          csrs[i] = zid_mobile_csr_new (key, &error);
          die_on (error, "csr");
          run.bodies[i] = json_of ("code", e->code, "csr", csrs[i], NULL);
          run.previews[i] = json_of ("code", e->code, NULL);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;

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
      bare = run;
      bare.next = bare.done = bare.failed = bare.busy = bare.handshakes = 0;
      bare.client_cpu = 0;
      bare.preview = FALSE;
      {
        g_autoptr(SoupServer) server = bare_server_new (portal, answer, &bare.port);

        run_clients (&bare, clients, "bare");
        soup_server_disconnect (server);
      }
      bare_cpu[m] = bare.done ? bare.cpu / bare.done : 0;
      bare_service_cpu[m] = bare.done ? (bare.cpu - bare.client_cpu) / bare.done : 0;
      g_print ("%-11s %7d %10d %8.2f %9.1f %9s %8s %6s %7d %12.3f %12.3f%s\n",
               "  bare", clients, bare.done, bare.seconds, bare.done / bare.seconds, "", "", "",
               bare.handshakes, bare_cpu[m] * 1000, bare_service_cpu[m] * 1000,
               bare.failed ? "  (failures!)" : "");

      if (m == 0)
        crypto = crypto_seconds (csrs, MIN (enrolments, 1000));

      g_strfreev (run.bodies);
      g_strfreev (run.previews);
      g_clear_pointer (&csrs, g_strfreev);
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
  if (!keep)
    remove_tree (dir);
  return 0;
}
