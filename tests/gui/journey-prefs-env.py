#!/usr/bin/python3
"""Voorkeuren' environment, at 1024x768.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, the window in
Dutch), with the settings in a keyfile as on a desktop (the memory backend
forgets them at exit).

What the setting means (zid-preferences-window.c, zid-application.c): the
environment chosen in Voorkeuren opens at once in this process, next to the
window it was chosen from (that one stays, as it was), and it is the
environment a later start without --environment opens.

The journey: Anna, logged in to acceptatie with the reference phone, opens
Voorkeuren and chooses productie → Voorkeuren closes, the productie window
appears in the same process (its title ends in "— Productie", its badge
PRODUCTIE) with its own service listening → the acceptatie window still
works: still logged in, its users listed, its register dialog opens → a
start after the portal ended, without --environment, opens productie.
"""
import ctypes
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, frame, frames, front, listening, log,  # noqa: E402
                     mobile, processes, run, shot, wait)
from dogtail import tree  # noqa: E402
from dogtail.rawinput import keyCombo, pressKey  # noqa: E402

DATA_HOME = os.environ["XDG_DATA_HOME"]
ACC = os.path.join(DATA_HOME, "zorgid-portaal", "acceptatie")
PROD = os.path.join(DATA_HOME, "zorgid-portaal", "productie")
KEYFILE = os.path.join(os.environ["XDG_CONFIG_HOME"], "glib-2.0", "settings", "keyfile")
TITLE_ACC = "ZORG-ID Portaal — Acceptatie"
TITLE_PROD = "ZORG-ID Portaal — Productie"


def admin(data, *args):
    environment = "productie" if data == PROD else "acceptatie"
    return run([j.ADMIN, "--data-dir", data, "--environment", environment] + list(args))


def settings_env():
    """The settings in a keyfile, the window at 1024x768 and acceptatie
    chosen, as a desktop keeps them between starts."""
    os.makedirs(os.path.dirname(KEYFILE), exist_ok=True)
    with open(KEYFILE, "w") as f:
        f.write("[nl/zorgid/Portaal]\nwindow-width=1024\nwindow-height=768\nenvironment='acceptatie'\n")
    return dict(os.environ, GSETTINGS_BACKEND="keyfile")


def start(env, *args):
    proc = subprocess.Popen([j.PORTAAL] + list(args), env=env,
                            stdout=open(os.path.join(j.WORK, "app.log"), "a"), stderr=subprocess.STDOUT)
    app = wait("the application on the accessibility bus",
               lambda: tree.root.application("zorgid-portaal"), 30)
    return proc, app


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    wait("the application gone", lambda: not [a for a in tree.root.applications()
                                              if a.name == "zorgid-portaal"], 20)


def raise_window(environment):
    """No window manager: X itself raises the window (for the screenshot)."""
    out = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True).stdout
    ids = [int(line.split()[0], 16) for line in out.splitlines()
           if "ZORG-ID Portaal" in line and environment in line]
    if len(ids) != 1:
        fail("%d X windows of %s: %s" % (len(ids), environment, out))
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XRaiseWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    x11.XRaiseWindow(display, ids[0])
    x11.XCloseDisplay(display)
    time.sleep(1)


def main():
    port_acc, port_prod = j.free_port(), j.free_port()
    while port_prod == port_acc:
        port_prod = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    admin(ACC, "config", "set", "service-address", "127.0.0.1:%d" % port_acc)
    admin(ACC, "registration", "add", "--ura", "12345678", "--name", "Zorggroep Noord")
    boot = json.loads(admin(ACC, "--json", "organisation", "bootstrap", "--ura", "12345678",
                            "--first-name", "Anna", "--last-name", "Acceptatie",
                            "--birth-date", "1980-01-01").stdout)
    # productie's service on a port of this test (the default one may be taken)
    admin(PROD, "config", "set", "service-address", "127.0.0.1:%d" % port_prod)

    env = settings_env()
    proc, app = start(env, "--environment", "acceptatie")
    try:
        acc = frame(app, TITLE_ACC)
        find(acc, "Omgeving: ACCEPTATIE")
        mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
        j.login(app, j.PHONE_ANNA, "anna")
        (w, h) = acc.size
        log("window size", w, h)
        if not (1000 <= w <= 1024 and 740 <= h <= 768):
            fail("the window is %dx%d, not 1024x768" % (w, h))

        # Voorkeuren: choose productie
        keyCombo("<Control>comma")
        prefs = wait("Voorkeuren", lambda: ([w for w in app.children if w.name == "Voorkeuren"] or [None])[0])
        row = find(prefs, "Omgeving", "combo box")
        find(row, "Acceptatie", "label")
        shot("preferences-acceptatie")
        row.click()
        time.sleep(0.8)
        find(prefs, "Productie", "label")
        shot("preferences-environment-choices")
        pressKey("Down")
        pressKey("Return")

        # the productie window, in this process, with its own service
        prod = frame(app, TITLE_PROD)
        find(prod, "Omgeving: PRODUCTIE")
        wait("Voorkeuren closed", lambda: not [w for w in app.children if w.name == "Voorkeuren"])
        if len(frames(app)) != 2 or processes() != [proc.pid]:
            fail("productie: %d windows, processes %r" % (len(frames(app)), processes()))
        wait("both services listening", lambda: listening(port_acc) and listening(port_prod), 20)
        time.sleep(1)
        shot("productie-opened-from-preferences")
        if "environment='productie'" not in open(KEYFILE).read():
            fail("the choice was not kept for the next start: " + open(KEYFILE).read())

        # the acceptatie window still works: logged in, its list, a dialog
        raise_window("Acceptatie")
        acc = frame(app, TITLE_ACC)
        find(acc, "Omgeving: ACCEPTATIE")
        find(acc, contains="Ingelogd als")
        find(acc, contains="Anna Acceptatie")
        click(find(acc, "Gebruiker registreren", "push button"))
        find(front(app), "Voornaam", "text")
        shot("acceptatie-still-works")
        pressKey("Escape")
        wait("the register dialog closed", lambda: not find_all(app, "Voornaam", "text"))
        if find_all(frame(app, TITLE_PROD), contains="Anna Acceptatie"):
            fail("the productie window shows acceptatie's users")
    finally:
        stop(proc)

    # The next start, without --environment: productie
    proc, app = start(env)
    try:
        prod = frame(app, TITLE_PROD)
        find(prod, "Omgeving: PRODUCTIE")
        time.sleep(1)
        if len(frames(app)) != 1:
            fail("the next start opened %d windows" % len(frames(app)))
        shot("next-start-productie")
    finally:
        stop(proc)
    print("ok - Voorkeuren' environment opens the other window in this process and at the next start",
          flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    main()
