#!/usr/bin/python3
"""One window per environment, in one process, each with its own service.

Run by journey.sh inside `softcard.sh run` (productie has no organisation
without a UZI-pas: its Administrator completes the registration with the
software card, as in tests/registration), Xvfb at 1024x768 and
dbus-run-session.

The journey: acceptatie starts from its default data dir → a second start
(without options: the environment of Voorkeuren) presents that window, one
window, one process → a data dir whose port another program holds opens a
window that says so in Dutch and shows no QR code, until the port is free
and Opnieuw proberen is chosen → `--environment productie` opens the
productie window in the same process, the two services listen on their own
ports, each window names its environment in its title and its badge → side
by side, the reference phone logs in to each by its QR code → Voorkeuren'
environment brings the other environment's window to the front.
"""
import ctypes
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, frame, frames, listening, log, mobile,  # noqa: E402
                     processes, shot, wait)
from dogtail import tree  # noqa: E402

SOFTCARD = os.environ["ZID_SOFTCARD"]
SOURCE = os.environ["ZID_SOURCE_ROOT"]
DATA_HOME = os.environ["XDG_DATA_HOME"]
ACC = os.path.join(DATA_HOME, "zorgid-portaal", "acceptatie")
PROD = os.path.join(DATA_HOME, "zorgid-portaal", "productie")
OCCUPIED = os.path.join(j.WORK, "occupied")
PKI = os.path.join(j.WORK, "card-pki")
OPKI = os.path.join(j.WORK, "operator-pki")
PHONE_ACC = os.path.join(j.WORK, "phone-acc")
PHONE_PROD = os.path.join(j.WORK, "phone-prod")
TITLE_ACC = "ZORG-ID Portaal — Acceptatie"
TITLE_PROD = "ZORG-ID Portaal — Productie"


def sh(*cmd, env=None):
    p = subprocess.run(list(cmd), capture_output=True, text=True, env=env)
    if p.returncode != 0:
        log(" ".join(cmd), "->", p.returncode, p.stdout[-500:], p.stderr[-500:])
        fail("%s failed" % cmd[0])
    return p.stdout


def admin(data, *args, env=None):
    environment = "productie" if data == PROD else "acceptatie"
    return json.loads(sh(j.ADMIN, "--data-dir", data, "--environment", environment, "--json",
                         *args, env=env) or "{}")


def launch(*args):
    """A later start: it hands its options to the first process and ends."""
    p = subprocess.run([j.PORTAAL] + list(args), capture_output=True, text=True, timeout=30)
    log("zorgid-portaal", " ".join(args), "->", p.returncode, p.stdout.strip(), p.stderr.strip())
    if p.returncode != 0:
        fail("a second start exited %d" % p.returncode)


# Without a window manager, nothing places windows: X itself does
X11 = ctypes.cdll.LoadLibrary("libX11.so.6")
X11.XOpenDisplay.restype = ctypes.c_void_p
X11.XOpenDisplay.argtypes = [ctypes.c_char_p]
X11.XMoveResizeWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                                  ctypes.c_uint, ctypes.c_uint]
X11.XRaiseWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
X11.XFlush.argtypes = [ctypes.c_void_p]
DISPLAY = X11.XOpenDisplay(None)


def place(environment, x, width):
    out = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True).stdout
    ids = [int(line.split()[0], 16) for line in out.splitlines()
           if "ZORG-ID Portaal" in line and environment in line]
    if len(ids) != 1:
        fail("%d X windows of %s: %s" % (len(ids), environment, out))
    X11.XMoveResizeWindow(DISPLAY, ids[0], x, 0, width, 768)
    X11.XRaiseWindow(DISPLAY, ids[0])
    X11.XFlush(DISPLAY)
    time.sleep(1)


def login(app, title, port, phone, who):
    """Scans the screen for the QR code of the window whose service is on
    @port and lets the phone accept it."""
    window = frame(app, title)
    find(window, "QR-code", "push button")

    def payload():
        png = shot("login-qr-" + who)
        out = j.zbar(png)
        return [p for p in out.splitlines() if p.startswith("zorgid://") and "login" in p
                and ("127.0.0.1:%d" % port) in p]
    found = wait("the login QR of " + title, payload, 20)
    mobile(phone, "login", found[0])
    find(window, "Uitloggen", "push button")
    find(window, contains="Ingelogd als")


def main():
    port_acc, port_prod, port_busy = j.free_port(), j.free_port(), j.free_port()
    while len({port_acc, port_prod, port_busy}) < 3:
        port_prod, port_busy = j.free_port(), j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")

    # Acceptatie: an organisation bootstrapped as the operator would
    admin(ACC, "config", "set", "service-address", "127.0.0.1:%d" % port_acc)
    admin(ACC, "registration", "add", "--ura", "12345678", "--name", "Zorggroep Noord")
    boot = admin(ACC, "organisation", "bootstrap", "--ura", "12345678", "--first-name", "Anna",
                 "--last-name", "Acceptatie", "--birth-date", "1980-01-01")

    # Productie: the operator's signed registration, completed with the
    # Administrator's UZI-pas
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "corpus", PKI)
    sh(os.path.join(SOURCE, "tests/registration/make-operator-pki.sh"), OPKI)
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "card", PKI, "env-piet",
       "--given", "Piet", "--surname", "Productie", "--ura", "87654321")
    reg = os.path.join(j.WORK, "registration.json")
    with open(reg, "w") as f:
        json.dump({"version": 1, "ura": "87654321", "name": "Zorggroep Zuid",
                   "agb": "01234567", "address": "Zuidlaan 1, 5611 AB Eindhoven",
                   "reference": "VZVZ-2025-000124", "created": "2025-03-01T09:30:00Z"}, f)
    signed = os.path.join(j.WORK, "registration.p7m")
    sh(j.ADMIN, "--data-dir", os.path.join(j.WORK, "operator"), "registration", "sign",
       "--in", reg, "--key", os.path.join(OPKI, "operator.key"),
       "--cert", os.path.join(OPKI, "operator.pem"), "--chain", os.path.join(OPKI, "chain.pem"),
       "--out", signed)
    admin(PROD, "config", "set", "service-address", "127.0.0.1:%d" % port_prod)
    admin(PROD, "registration", "import", signed, "--trust", os.path.join(OPKI, "trust"))
    card = os.path.join(PKI, "cards", "env-piet")
    sh(SOFTCARD, "insert", card)
    card_env = dict(os.environ, ZID_UZI_TRUST_DIR=os.path.join(PKI, "trust"))
    completed = admin(PROD, "registration", "complete", "--ura", "87654321",
                      "--pin-file", os.path.join(card, "pin"), "--birth-date", "1970-01-01",
                      env=card_env)

    # The first start: acceptatie, from its default data dir
    proc = subprocess.Popen([j.PORTAAL, "--environment", "acceptatie"],
                            stdout=open(os.path.join(j.WORK, "app.log"), "a"), stderr=subprocess.STDOUT)
    try:
        app = wait("the application on the accessibility bus",
                   lambda: tree.root.application("zorgid-portaal"), 30)
        window = frame(app, TITLE_ACC)
        find(window, "Omgeving: ACCEPTATIE")
        find(window, "QR-code", "push button")
        shot("acceptatie")

        # A second start presents that window: one window, one process
        launch()
        time.sleep(2)
        if len(frames(app)) != 1 or processes() != [proc.pid]:
            fail("a second start made %d windows, processes %r" % (len(frames(app)), processes()))
        shot("second-start-same-window")

        # A data dir whose port another program holds: the window says so
        # and shows no QR code that could never work
        admin(OCCUPIED, "config", "set", "service-address", "127.0.0.1:%d" % port_busy)
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port_busy))
        holder.listen(1)
        launch("--data-dir", OCCUPIED, "--environment", "acceptatie")
        wait("a second window", lambda: len(frames(app)) == 2)
        busy = frames(app)[-1]
        find(busy, contains="kan niet luisteren op 127.0.0.1:%d" % port_busy)
        find(busy, contains="Kies in Voorkeuren")
        if find_all(busy, "QR-code", "push button"):
            fail("a window whose service cannot listen shows a QR code")
        shot("service-port-in-use")
        holder.close()
        click(find(busy, "Opnieuw proberen", "push button"))
        find(busy, "QR-code", "push button")
        if not listening(port_busy):
            fail("the service does not listen after Opnieuw proberen")
        shot("service-after-try-again")
        click(find(busy, "Sluiten", "push button"))
        wait("the window closed", lambda: len(frames(app)) == 1)

        # The other environment: its own window in the same process
        launch("--environment", "productie")
        prod = frame(app, TITLE_PROD)
        find(prod, "Omgeving: PRODUCTIE")
        if len(frames(app)) != 2 or processes() != [proc.pid]:
            fail("productie: %d windows, processes %r" % (len(frames(app)), processes()))
        if not (listening(port_acc) and listening(port_prod)):
            fail("the two services do not both listen (%d, %d)" % (port_acc, port_prod))

        # Side by side at 1024x768, each with its badge; the phones log in
        # to each
        place("Acceptatie", 0, 512)
        place("Productie", 512, 512)
        shot("side-by-side")
        mobile(PHONE_ACC, "enrol", boot["enrolment_payload"])
        mobile(PHONE_PROD, "enrol", completed["enrolment_payload"])
        # GTK does not lay a window out again when X resizes it from
        # outside: each in turn in front at full size for its QR code
        place("Acceptatie", 0, 1024)
        login(app, TITLE_ACC, port_acc, PHONE_ACC, "acceptatie")
        place("Productie", 0, 1024)
        login(app, TITLE_PROD, port_prod, PHONE_PROD, "productie")
        find(frame(app, TITLE_ACC), contains="Anna Acceptatie")
        find(frame(app, TITLE_PROD), contains="Piet Productie")
        shot("productie-logged-in")
        place("Acceptatie", 0, 1024)
        shot("acceptatie-logged-in")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("ok - one window per environment", flush=True)


if __name__ == "__main__":
    main()
