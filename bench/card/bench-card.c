/* bench-card.c — card insertion to parsed UZI identity, against pkcs11-tool
 *
 * Runs inside tests/card/softcard.sh (see bench/card/run-bench.sh). Each
 * round pulls the software card out, puts it back (the bridge is signalled
 * directly: t0 is the insertion itself) and measures until:
 *   ours:      the monitor's card-inserted, then zid_card_read_identity
 *              (PKCS#11 module loaded anew, token found, certificates read,
 *              UZI identity parsed);
 *   reference: the same card-inserted, then `pkcs11-tool --module M -O`
 *              (a process that loads the module and lists the objects).
 * Rounds alternate; the medians and their ratio (ours / reference) are
 * printed. Target: ratio <= 1.2.
 */
#include <signal.h>
#include <stdlib.h>

#include "zid-card.h"

static guint inserted, removed;

static void on_inserted (ZidCardMonitor *m, ZidReader *r, gpointer d) { inserted++; }
static void on_removed (ZidCardMonitor *m, ZidReader *r, gpointer d) { removed++; }

static void
wait_count (guint *counter, guint want)
{
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (*counter < want)
    {
      if (g_get_monotonic_time () > until)
        g_error ("card event did not come");
      g_main_context_iteration (NULL, TRUE);
    }
}

static int
compare (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *a)
{
  g_array_sort (a, compare);
  return g_array_index (a, double, a->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  int rounds = argc > 1 ? atoi (argv[1]) : 10;
  const char *dir = g_getenv ("ZID_SOFTCARD_DIR");
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_text = NULL;
  g_autoptr(ZidCardMonitor) monitor = NULL;
  g_autoptr(ZidCardConfig) config = NULL;
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ref = g_array_new (FALSE, FALSE, sizeof (double));
  GPid bridge;

  if (dir == NULL)
    {
      g_printerr ("run through bench/card/run-bench.sh\n");
      return 2;
    }
  pid_file = g_build_filename (dir, "bridge0.pid", NULL);
  if (!g_file_get_contents (pid_file, &pid_text, NULL, NULL))
    g_error ("no card inserted");
  bridge = atoi (pid_text);

  config = zid_card_config_new_from_environment (ZID_UZI_ENVIRONMENT_ACCEPTATIE);
  monitor = zid_card_monitor_new ();
  g_signal_connect (monitor, "card-inserted", G_CALLBACK (on_inserted), NULL);
  g_signal_connect (monitor, "card-removed", G_CALLBACK (on_removed), NULL);
  while (!zid_card_monitor_get_ready (monitor))
    g_main_context_iteration (NULL, TRUE);
  inserted = zid_card_monitor_get_state (monitor) == ZID_CARD_MONITOR_STATE_CARD_PRESENT;

  for (int i = 0; i < 2 * rounds + 2; i++)
    {
      gboolean mine = i % 2 == 0;
      gint64 t0, t1;

      kill (bridge, SIGUSR1);
      wait_count (&removed, removed + 1);
      g_usleep (100 * 1000);

      t0 = g_get_monotonic_time ();
      kill (bridge, SIGUSR2);
      wait_count (&inserted, inserted + 1);
      if (mine)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(ZidUziIdentity) id = zid_card_read_identity (config, NULL, NULL, &error);
          if (id == NULL)
            g_error ("%s", error->message);
        }
      else
        {
          g_autoptr(GError) error = NULL;
          const char *av[] = { "pkcs11-tool", "--module", config->module_path, "-O", NULL };
          int status;
          if (!g_spawn_sync (NULL, (char **) av, NULL,
                             G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                             NULL, NULL, NULL, NULL, &status, &error) ||
              !g_spawn_check_wait_status (status, &error))
            g_error ("pkcs11-tool: %s", error->message);
        }
      t1 = g_get_monotonic_time ();
      if (i >= 2) /* the first pair warms caches up */
        {
          double ms = (double) (t1 - t0) / 1000.0;
          g_array_append_val (mine ? ours : ref, ms);
        }
    }

  {
    double a = median (ours), b = median (ref);
    g_print ("card insertion -> parsed UZI identity, median of %d rounds\n", rounds);
    g_print ("  zid_card_read_identity:  %8.1f ms\n", a);
    g_print ("  pkcs11-tool -O:          %8.1f ms\n", b);
    g_print ("  ratio (ours/reference):  %8.2f  (target <= 1.2)\n", a / b);
  }
  return 0;
}
