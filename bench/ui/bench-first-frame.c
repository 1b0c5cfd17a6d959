/* bench-first-frame.c — start to first frame, measured from outside (X11)
 *
 *   bench-first-frame [--runs N] [--timeout S] NAME=COMMAND... 
 *
 * Starts each COMMAND (run through /bin/sh -c) in turn, alternating, N times
 * each, and times from just before fork() to its first frame: the first
 * X damage on a new top-level window after which the window's pixels are
 * not uniform (the first damage at map time is the server painting the
 * background; it is skipped because the pixels are still uniform). The
 * program is then terminated (SIGTERM, then SIGKILL) before the next run.
 * TESTING.md §D: an in-app after-paint stamp agreed within 4 ms; xdotool
 * --sync rounds to 500 ms and is useless here.
 *
 * Prints every run, then per command the median, min and max, and the
 * ratio of each command's median to the first command's.
 * Needs an X server without a window manager (run-bench.sh: Xvfb).
 *
 * For every run the environment variable BENCH_RUN holds the run number,
 * so that the command can take fresh config dirs.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xdamage.h>

typedef struct
{
  char   *name;
  char   *command;
  GArray *samples;  /* double, ms */
} Subject;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
x_error (Display     *dpy,
         XErrorEvent *ev)
{
  /* windows come and go under us (BadWindow, BadMatch on unmapped ones) */
  return 0;
}

/* Are the window's pixels all the same? */
static gboolean
uniform (Display *dpy,
         Window   win)
{
  XWindowAttributes attrs;
  XImage *image;
  unsigned long first;
  gboolean same = TRUE;

  if (!XGetWindowAttributes (dpy, win, &attrs) || attrs.map_state != IsViewable)
    return TRUE;
  image = XGetImage (dpy, win, 0, 0, attrs.width, attrs.height, AllPlanes, ZPixmap);
  if (image == NULL)
    return TRUE;
  first = XGetPixel (image, 0, 0);
  for (int y = 0; same && y < attrs.height; y += 2)
    for (int x = 0; x < attrs.width; x += 2)
      if (XGetPixel (image, x, y) != first)
        {
          same = FALSE;
          break;
        }
  XDestroyImage (image);
  return same;
}

static void
stop (pid_t pid)
{
  int status;

  kill (-pid, SIGTERM);
  for (int i = 0; i < 300; i++)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        return;
      usleep (10000);
    }
  kill (-pid, SIGKILL);
  waitpid (pid, &status, 0);
}

/* One run: the first non-uniform damage of a new top-level, in ms, or -1 */
static double
run_once (Display    *dpy,
          int         damage_event,
          const char *command,
          int         run,
          double      timeout_ms)
{
  Window root = DefaultRootWindow (dpy);
  GArray *damages = g_array_new (FALSE, FALSE, sizeof (Damage));
  double t0, result = -1;
  pid_t pid;
  int fd = ConnectionNumber (dpy);

  XSelectInput (dpy, root, SubstructureNotifyMask);
  XSync (dpy, True);  /* drop anything from the previous run */

  t0 = now_ms ();
  pid = fork ();
  if (pid == 0)
    {
      char number[16];

      setpgid (0, 0);
      g_snprintf (number, sizeof number, "%d", run);
      setenv ("BENCH_RUN", number, 1);
      execl ("/bin/sh", "sh", "-c", command, (char *) NULL);
      _exit (127);
    }
  setpgid (pid, pid);

  while (result < 0 && now_ms () - t0 < timeout_ms)
    {
      XEvent ev;

      if (XPending (dpy) == 0)
        {
          fd_set fds;
          struct timeval tv = { 0, 5000 };

          FD_ZERO (&fds);
          FD_SET (fd, &fds);
          select (fd + 1, &fds, NULL, NULL, &tv);
          continue;
        }
      XNextEvent (dpy, &ev);
      if (ev.type == MapNotify && ev.xmap.event == root && !ev.xmap.override_redirect)
        {
          XWindowAttributes attrs;
          Damage damage;

          if (!XGetWindowAttributes (dpy, ev.xmap.window, &attrs) || attrs.width < 64 || attrs.height < 64)
            continue;
          damage = XDamageCreate (dpy, ev.xmap.window, XDamageReportNonEmpty);
          g_array_append_val (damages, damage);
          /* It may have drawn already between map and our damage object */
          if (!uniform (dpy, ev.xmap.window))
            result = now_ms () - t0;
        }
      else if (ev.type == damage_event + XDamageNotify)
        {
          XDamageNotifyEvent *dev = (XDamageNotifyEvent *) &ev;
          double t = now_ms ();

          XDamageSubtract (dpy, dev->damage, None, None);
          if (!uniform (dpy, dev->drawable))
            result = t - t0;
        }
    }

  for (guint i = 0; i < damages->len; i++)
    XDamageDestroy (dpy, g_array_index (damages, Damage, i));
  g_array_free (damages, TRUE);
  XSelectInput (dpy, root, NoEventMask);
  XSync (dpy, False);
  stop (pid);
  return result;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  GArray *sorted;
  double m;

  if (samples->len == 0)
    return NAN;
  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_doubles);
  m = sorted->len % 2 ? g_array_index (sorted, double, sorted->len / 2)
                      : (g_array_index (sorted, double, sorted->len / 2 - 1) +
                         g_array_index (sorted, double, sorted->len / 2)) / 2;
  g_array_free (sorted, TRUE);
  return m;
}

int
main (int    argc,
      char **argv)
{
  int runs = 10, warmup = 1;
  double timeout = 20;
  g_autoptr(GOptionContext) context = g_option_context_new ("NAME=COMMAND... — start to first frame");
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Runs per command (10)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed runs per command first (1)", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds to wait for a frame (20)", "S" },
    { NULL }
  };
  GPtrArray *subjects = g_ptr_array_new ();
  Display *dpy;
  int damage_event, damage_error;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2)
    {
      g_printerr ("bench-first-frame: %s\n", error ? error->message : "give NAME=COMMAND arguments");
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      Subject *s;

      if (eq == NULL)
        {
          g_printerr ("bench-first-frame: %s is not NAME=COMMAND\n", argv[i]);
          return 2;
        }
      s = g_new0 (Subject, 1);
      s->name = g_strndup (argv[i], eq - argv[i]);
      s->command = g_strdup (eq + 1);
      s->samples = g_array_new (FALSE, FALSE, sizeof (double));
      g_ptr_array_add (subjects, s);
    }

  dpy = XOpenDisplay (NULL);
  if (dpy == NULL)
    {
      g_printerr ("bench-first-frame: cannot open the X display\n");
      return 1;
    }
  if (!XDamageQueryExtension (dpy, &damage_event, &damage_error))
    {
      g_printerr ("bench-first-frame: the X server has no DAMAGE extension\n");
      return 1;
    }
  XSetErrorHandler (x_error);

  for (int w = 0; w < warmup; w++)
    for (guint i = 0; i < subjects->len; i++)
      {
        Subject *s = g_ptr_array_index (subjects, i);
        double ms = run_once (dpy, damage_event, s->command, -1 - w, timeout * 1000);

        g_print ("warm-up %-20s %8.1f ms\n", s->name, ms);
      }

  /* Alternating: A B A B ..., so that drift hits both alike */
  for (int r = 0; r < runs; r++)
    for (guint i = 0; i < subjects->len; i++)
      {
        Subject *s = g_ptr_array_index (subjects, (i + r) % subjects->len);
        double ms = run_once (dpy, damage_event, s->command, r, timeout * 1000);

        g_print ("run %2d  %-20s %8.1f ms\n", r + 1, s->name, ms);
        if (ms < 0)
          {
            g_printerr ("bench-first-frame: %s showed no frame within %.0f s\n", s->name, timeout);
            return 1;
          }
        g_array_append_val (s->samples, ms);
      }

  g_print ("\n%-20s %10s %10s %10s %8s\n", "command", "median", "min", "max", "ratio");
  for (guint i = 0; i < subjects->len; i++)
    {
      Subject *s = g_ptr_array_index (subjects, i);
      Subject *ref = g_ptr_array_index (subjects, subjects->len - 1);
      double mn = INFINITY, mx = 0;

      for (guint k = 0; k < s->samples->len; k++)
        {
          mn = MIN (mn, g_array_index (s->samples, double, k));
          mx = MAX (mx, g_array_index (s->samples, double, k));
        }
      g_print ("%-20s %7.1f ms %7.1f ms %7.1f ms %8.2f\n", s->name, median (s->samples), mn, mx,
               median (s->samples) / median (ref->samples));
    }
  g_print ("(ratio: median / median of the last command, the reference; target <= 1.0)\n");
  XCloseDisplay (dpy);
  return 0;
}
