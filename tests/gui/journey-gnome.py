#!/usr/bin/python3
"""Help and About, as an administrator finds them.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, fresh XDG dirs).
A stand-in `yelp` on PATH, registered as the handler of help: URIs in the
journey's own XDG dirs, records what the application asks it to show.

The journey: the screenshots of the metainfo, at its sizes and without a
toast over the content (the overview with the users, a user's page) →
F1 opens help:zorgid-portaal → the primary menu has Hulp, which
does the same → Over ZORG-ID Portaal shows the issue tracker and, under
Probleemoplossing, the debug information with the versions of GTK,
libadwaita, OpenSSL, SQLite, pcsc-lite and p11-kit and the PKCS#11 modules.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import click, fail, find, find_all, front, log, run, shot, wait  # noqa: E402
from dogtail import rawinput  # noqa: E402
from dogtail.rawinput import pressKey  # noqa: E402

RECORD = os.path.join(j.WORK, "yelp-called")
BIN = os.path.join(j.WORK, "bin")


def stand_in_yelp():
    os.makedirs(BIN, exist_ok=True)
    yelp = os.path.join(BIN, "yelp")
    with open(yelp, "w") as f:
        f.write('#!/bin/sh\necho "$@" >> "%s"\n' % RECORD)
    os.chmod(yelp, 0o755)
    apps = os.path.join(os.environ["XDG_DATA_HOME"], "applications")
    os.makedirs(apps, exist_ok=True)
    with open(os.path.join(apps, "yelp.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Help\nExec=%s %%u\n"
                "MimeType=x-scheme-handler/help;\n" % yelp)
    with open(os.path.join(os.environ["XDG_CONFIG_HOME"], "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/help=yelp.desktop\n")


def calls():
    try:
        with open(RECORD) as f:
            return f.read().split()
    except OSError:
        return []


def open_menu(app):
    find(app, "Hoofdmenu", "push button")
    click(find_all(app, "Hoofdmenu", "push button")[-1])
    time.sleep(0.8)


def metainfo_sizes():
    """{file name: (width, height)} of the metainfo's screenshots."""
    path = os.path.join(j.BUILD, "data", "nl.zorgid.Portaal.metainfo.xml")
    text = open(path, encoding="utf-8").read()
    return {m.group(3): (int(m.group(1)), int(m.group(2))) for m in re.finditer(
        r'<image type="source" width="(\d+)" height="(\d+)">[^<]*/([^/<]+)</image>', text)}


def metainfo_shot(name, size):
    """The window (at 0,0 without a window manager) at the metainfo's size,
    once no toast is left: a toast goes after 5 s."""
    time.sleep(6)
    path = os.path.join(j.SHOTS, "metainfo-" + name)
    subprocess.run(["import", "-window", "root", "-crop", "%dx%d+0+0" % size, "+repage", path],
                   check=True)
    log("metainfo screenshot", path)


def main():
    stand_in_yelp()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    port = j.free_port()
    run([j.ADMIN, "--data-dir", j.DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([j.ADMIN, "--data-dir", j.DATA, "registration", "add", "--ura", "12345678",
         "--name", "Zorggroep Noord"])
    boot = json.loads(run([j.ADMIN, "--data-dir", j.DATA, "--json", "organisation", "bootstrap",
                           "--ura", "12345678", "--first-name", "Anna", "--last-name", "Admin",
                           "--birth-date", "1980-01-01"]).stdout)
    run([j.ADMIN, "--data-dir", j.DATA, "user", "register", "--as", str(boot["user"]),
         "--organisation", "12345678", "--first-name", "Bram", "--last-name", "Beheer",
         "--birth-date", "1990-05-05"])

    app = j.start_app({"PATH": BIN + os.pathsep + os.environ["PATH"]})
    window = find(app, role="frame", contains="ZORG-ID Portaal", timeout=30)
    time.sleep(1)
    shot("start")

    # The metainfo's screenshots that show the users
    sizes = metainfo_sizes()
    j.mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    j.login(app, j.PHONE_ANNA, "anna")
    find(app, "Beheer Bram Beheer", "push button")
    if "gebruikers.png" in sizes:
        metainfo_shot("gebruikers.png", sizes["gebruikers.png"])
    j.open_manage(app, "Bram Beheer")
    if "beheer.png" in sizes:
        metainfo_shot("beheer.png", sizes["beheer.png"])
    click(find(app, "Terug", "push button"))

    # F1
    # Without a window manager the keyboard follows the pointer
    (x, y), (w, h) = window.position, window.size
    rawinput.click(x + w // 2, y + 12)
    pressKey("F1")
    wait("F1 to open the help", lambda: calls() == ["help:zorgid-portaal"], 15)
    log("F1 ->", calls())

    # The primary menu's Hulp
    open_menu(app)
    item = find(app, contains="Hulp")
    shot("menu-hulp")
    click(item)
    wait("Hulp in the menu to open the help", lambda: calls() == ["help:zorgid-portaal"] * 2, 15)
    log("Hulp ->", calls())

    # About: issue tracker, debug information
    open_menu(app)
    click(find(app, contains="Over ZORG-ID Portaal"))
    about = wait("the About window", lambda: front(app) if front(app) is not window else None, 15)
    find(about, contains="ZORG-ID Portaal", role="label")
    shot("about")
    trouble = find(about, contains="Probleemoplossing")
    rawinput.click(*j.middle(trouble))
    time.sleep(1)

    def debug_text():
        for node in find_all(about, role="text"):
            try:
                text = node.queryText().getText(0, -1)
            except Exception:
                continue
            if "PKCS#11 modules:" in text:
                return text
        return None
    text = wait("the debug information, collected in the background", debug_text, 30)
    log("debug information:\n" + text)
    for part in ("ZORG-ID Portaal ", "GTK 4.", "libadwaita 1.", "GLib 2.", "OpenSSL 3.",
                 "SQLite 3.", "pcsc-lite ", "p11-kit ", "PKCS#11 modules:"):
        if part not in text:
            fail("the debug information lacks %r" % part)
    if not find_all(about, contains="probleem") and not find_all(about, contains="Probleem"):
        fail("the About window offers no issue tracker")
    j.stop_app()
    log("ok: help by F1 and the menu, About with issue tracker and debug information")


if __name__ == "__main__":
    try:
        main()
    finally:
        j.stop_app()
