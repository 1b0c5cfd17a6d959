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
 * All clients come from 127.0.0.1: the per-address handshake limit is set
 * to the total one, as for 32 phones with addresses of their own.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gio/gio.h>
#include <openssl/evp.h>

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

/* sign/s of `openssl speed -seconds 3 ecdsap256` */
static double
openssl_sign_rate (void)
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
        return sign_rate;
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

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZidClock) clock = NULL;
  g_autoptr(ZidPortal) portal = NULL;
  g_autoptr(ZidService) service = NULL;
  g_autoptr(ZidEnrolment) admin = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *mode = g_strdup ("both");
  gint clients = 32, enrolments = 2000, workers = 0;
  gboolean preview = FALSE, keep = FALSE;
  const char *modes[2];
  guint n_modes = 0;
  double sign_rate;
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
  sign_rate = openssl_sign_rate ();
  g_print ("  ECDSA P-256 sign/s (one core): %.0f\n", sign_rate);

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

  g_print ("\n%-11s %7s %10s %8s %9s %9s %8s %6s %7s %12s %12s\n",
           "mode", "clients", "enrolments", "seconds", "enrol/s", "sign/s", "ratio", "busy", "TLS hs",
           "CPU ms/enrol", "service ms");
  for (guint m = 0; m < n_modes; m++)
    {
      Run run = { 0 };
      g_autoptr(GPtrArray) threads = g_ptr_array_new ();
      ZidServiceStats before, after;
      struct rusage usage_before, usage_after;
      gint64 start, end;
      double cpu;
      double seconds, rate;

      run.port = zid_service_get_port (service);
      run.keep_alive = g_str_equal (modes[m], "keep-alive");
      run.preview = preview;
      run.total = enrolments;
      run.bodies = g_new0 (char *, enrolments);
      run.previews = g_new0 (char *, enrolments);

      /* Untimed: the codes (the portal's work before the QR is shown) and
       * the phones' keys and requests */
      for (gint i = 0; i < enrolments; i++)
        {
          g_autofree char *first = g_strdup_printf ("Bench%d", i);
          g_autoptr(ZidEnrolment) e = zid_portal_register_user (portal, admin->user_id, org, first,
                                                                modes[m], "1990-03-04", &error);
          g_autoptr(EVP_PKEY) key = NULL;
          g_autofree char *csr = NULL;

          die_on (error, "register");
          key = zid_mobile_key_generate (&error);
          die_on (error, "key");
          csr = zid_mobile_csr_new (key, &error);
          die_on (error, "csr");
          run.bodies[i] = json_of ("code", e->code, "csr", csr, NULL);
          run.previews[i] = json_of ("code", e->code, NULL);
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;

      if (g_getenv ("BENCH_SERVICE_MARK"))
        {
          /* For a profiler attached from outside: the clock starts now */
          g_printerr ("timing %s\n", modes[m]);
          g_usleep (G_USEC_PER_SEC * atoi (g_getenv ("BENCH_SERVICE_MARK")));
        }
      zid_service_get_stats (service, &before);
      run.running = clients;
      getrusage (RUSAGE_SELF, &usage_before);
      start = g_get_monotonic_time ();
      for (gint c = 0; c < clients; c++)
        g_ptr_array_add (threads, g_thread_new ("phone", client_thread, &run));
      while (g_atomic_int_get (&run.running) > 0)
        g_main_context_iteration (NULL, TRUE);
      end = g_get_monotonic_time ();
      getrusage (RUSAGE_SELF, &usage_after);
      for (guint c = 0; c < threads->len; c++)
        g_thread_join (g_ptr_array_index (threads, c));
      zid_service_get_stats (service, &after);

      seconds = (end - start) / 1e6;
      cpu = (usage_after.ru_utime.tv_sec - usage_before.ru_utime.tv_sec) +
            (usage_after.ru_utime.tv_usec - usage_before.ru_utime.tv_usec) / 1e6 +
            (usage_after.ru_stime.tv_sec - usage_before.ru_stime.tv_sec) +
            (usage_after.ru_stime.tv_usec - usage_before.ru_stime.tv_usec) / 1e6;
      rate = run.done / seconds;
      g_print ("%-11s %7d %10d %8.2f %9.1f %9.0f %8.4f %6d %7d %12.2f %12.2f%s\n",
               modes[m], clients, run.done, seconds, rate, sign_rate,
               sign_rate > 0 ? rate / sign_rate : 0.0, run.busy, run.handshakes,
               run.done ? cpu * 1000 / run.done : 0.0,
               run.done ? (cpu - run.client_cpu) * 1000 / run.done : 0.0,
               run.failed ? "  (failures!)" : "");
      if (after.enrolments - before.enrolments != (guint64) run.done)
        g_printerr ("bench-service: the service counted %" G_GUINT64_FORMAT " enrolments, clients %d\n",
                    after.enrolments - before.enrolments, run.done);

      for (gint i = 0; i < enrolments; i++)
        {
          g_free (run.bodies[i]);
          g_free (run.previews[i]);
        }
      g_free (run.bodies);
      g_free (run.previews);
    }
  g_print ("\nratio = enrol/s ÷ ECDSA P-256 sign/s; target ≥ 0.25 (docs: DESIGN.md §6)\n"
           "CPU ms/enrol: the whole process (service and clients); service ms: without the\n"
           "client threads (what phones elsewhere would leave this machine)\n");

  zid_service_stop (service);
  while (zid_service_get_busy (service) > 0)
    g_main_context_iteration (NULL, TRUE);
  if (!keep)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (cmd) != 0)
        g_printerr ("bench-service: could not remove %s\n", dir);
    }
  return 0;
}
