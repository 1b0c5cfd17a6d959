#!/usr/bin/python3
"""The metainfo's screenshots, then Help and About, as an administrator
finds them.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, fresh XDG dirs),
inside `softcard.sh run` where the software card chain is there (a private
pcscd, the vpcd reader, OpenSC; see tests/card/softcard.sh). A stand-in
`yelp` on PATH, registered as the handler of help: URIs in the journey's own
XDG dirs, records what the application asks it to show.

The journey: the four screenshots of the metainfo, at its sizes and without
a toast over the content, with a practice's people and their roles (the
login page, the overview with the users, a user's page, and — with the card
chain — the organisation check of a second organisation with its UZI card);
each compared with the file committed in data/screenshots (same size as the
metainfo says, the difference in pixels logged) → F1 opens
help:zorgid-portaal → the primary menu has Hulp, which does the same → Over
ZORG-ID Portaal shows the issue tracker and, under Probleemoplossing, the
debug information with the versions of GTK, libadwaita, OpenSSL, SQLite,
pcsc-lite and p11-kit and the PKCS#11 modules.
"""
import json
import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import click, fail, find, find_all, front, log, run, shot, wait  # noqa: E402
from dogtail import rawinput  # noqa: E402
from dogtail.rawinput import pressKey  # noqa: E402

SOURCE = os.environ["ZID_SOURCE_ROOT"]
TAKEN = []


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


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    return struct.unpack(">II", head[16:24])


def metainfo_shot(name, sizes):
    """The window (at 0,0 without a window manager) at the metainfo's size,
    once no toast is left (a toast goes after 5 s); compared with the
    committed file of that name."""
    if name not in sizes:
        fail("the metainfo lists no screenshot " + name)
    size = sizes[name]
    time.sleep(6)
    path = os.path.join(j.SHOTS, "metainfo-" + name)
    subprocess.run(["import", "-window", "root", "-crop", "%dx%d+0+0" % size, "+repage", path],
                   check=True)
    log("metainfo screenshot", path)
    if png_size(path) != size:
        fail("%s is %dx%d, the metainfo says %dx%d" % ((path,) + png_size(path) + size))
    committed = os.path.join(SOURCE, "data", "screenshots", name)
    if not os.path.exists(committed):
        fail("data/screenshots/%s, listed in the metainfo, is missing" % name)
    if png_size(committed) != size:
        fail("data/screenshots/%s is %dx%d, the metainfo says %dx%d"
             % ((name,) + png_size(committed) + size))
    # Times and QR codes differ from run to run: the difference is logged
    diff = subprocess.run(["compare", "-metric", "AE", path, committed, "null:"],
                          capture_output=True, text=True)
    log("pixels that differ from data/screenshots/%s: %s" % (name, diff.stderr.strip()))
    TAKEN.append(name)


# A practice's people: (first, last, birth date, role, with a mobile ID)
PEOPLE = [
    ("Jan", "Jansen", "1984-06-21", "Gebruiker", True),
    ("Fatima", "El Amrani", "1990-11-02", "Beheerder", True),
    ("Pieter", "van Dijk", "1968-01-30", "Gebruiker", False),
    ("Lotte", "Bakker", "1995-08-09", "Gebruiker", True),
    ("Daan", "Smit", "1979-04-12", "Beheerder", False),
]
URA = "12345678"
OTHER_URA = "23456789"


def admin(*args):
    return run([j.ADMIN, "--data-dir", j.DATA] + list(args))


def practice():
    """Praktijk De Linde (a general practice) with its Administrator Sanne de Boer and
    PEOPLE; returns Sanne's enrolment and the payloads of those with a
    mobile ID (redeemed once the window runs the enrolment service)."""
    payloads = []
    admin("registration", "add", "--ura", URA, "--name", "Praktijk De Linde",
          "--agb", "01234567", "--address", "Lindelaan 1, 3512 AB Utrecht")
    boot = json.loads(admin("--json", "organisation", "bootstrap", "--ura", URA,
                            "--first-name", "Sanne", "--last-name", "de Boer",
                            "--birth-date", "1979-03-14").stdout)
    for n, (first, last, born, role, phone) in enumerate(PEOPLE):
        user = json.loads(admin("--json", "user", "register", "--as", str(boot["user"]),
                                "--organisation", URA, "--first-name", first,
                                "--last-name", last, "--birth-date", born).stdout)
        if role != "Gebruiker":
            # A fresh code comes with the new role
            user = json.loads(admin("--json", "membership", "set", "--as", str(boot["user"]),
                                    str(user["user"]), "--organisation", URA,
                                    "--role", role).stdout)
        if phone:
            payloads.append((os.path.join(j.WORK, "phone-%d" % n), user["enrolment_payload"]))
    return boot, payloads


def card_chain_ready():
    return bool(os.environ.get("ZID_SOFTCARD"))


def signed_registration():
    """The operator's signed registration of a second organisation, and the
    UZI card of its future Administrator; (file, card dir, trust env)."""
    pki = os.path.join(j.WORK, "card-pki")
    opki = os.path.join(j.WORK, "operator-pki")
    run([os.path.join(SOURCE, "tests/card/make-pki.sh"), "corpus", pki])
    run([os.path.join(SOURCE, "tests/registration/make-operator-pki.sh"), opki])
    run([os.path.join(SOURCE, "tests/card/make-pki.sh"), "card", pki, "gnome-eva",
         "--given", "Eva", "--surname", "Visser", "--ura", OTHER_URA, "--uzi", "987654321",
         "--org", "Thuiszorg Het Anker"])
    signed = j.sign_registration(opki, {
        "ura": OTHER_URA, "name": "Thuiszorg Het Anker", "agb": "07654321",
        "address": "Ankerweg 12, 8011 AB Zwolle", "reference": "VZVZ-2026-000418",
        "created": "2026-02-02T10:15:00Z"})
    return signed, os.path.join(pki, "cards", "gnome-eva"), {
        "ZID_UZI_TRUST_DIR": os.path.join(pki, "trust"),
        "ZID_OPERATOR_TRUST_DIR": os.path.join(opki, "trust")}


def organisation_check(app, signed, card, sizes):
    """The login page's "Ik wil een organisatie valideren" up to the
    organisation check, with the card in the reader."""
    click(find(app, "Ik wil een organisatie valideren", "push button"))
    find(app, "Organisatie valideren")
    j.save_via_chooser(app, "Registratiebestand importeren…", signed, wait_file=False)
    find(app, contains="Thuiszorg Het Anker (URA %s) is ingelezen" % OTHER_URA, timeout=20)
    click(find(app, "Volgende: UZI-pas plaatsen", "push button"))
    find(app, "Plaats uw UZI-pas in de kaartlezer")
    run([os.environ["ZID_SOFTCARD"], "insert", card])
    find(app, "UZI-pas van Eva Visser (UZI-nummer 987654321)", timeout=30)
    entry = find(app, "PIN-code", "password text", timeout=30)
    entry.click()
    time.sleep(0.2)
    entry.typeText("1234")
    pressKey("Return")
    find(app, "Controleer de organisatiegegevens", timeout=30)
    find(app, "Thuiszorg Het Anker", "label")
    metainfo_shot("organisatie-valideren.png", sizes)
    run([os.environ["ZID_SOFTCARD"], "eject"])


def main():
    j.stand_in_yelp()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    port = j.free_port()
    admin("config", "set", "service-address", "127.0.0.1:%d" % port)
    boot, payloads = practice()
    sizes = metainfo_sizes()
    env = {"PATH": j.YELP_BIN + os.pathsep + os.environ["PATH"]}
    if card_chain_ready():
        signed, card, trust = signed_registration()
        env.update(trust)

    app = j.start_app(env)
    window = find(app, role="frame", contains="ZORG-ID Portaal", timeout=30)
    find(app, "QR-code", "push button")
    for phone, payload in payloads + [(j.PHONE_ANNA, boot["enrolment_payload"])]:
        j.mobile(phone, "enrol", payload)
    metainfo_shot("inloggen.png", sizes)

    # The metainfo's screenshots that show the users
    j.login(app, j.PHONE_ANNA, "sanne")
    find(app, "Beheer Jan Jansen", "push button")
    metainfo_shot("gebruikers.png", sizes)
    j.open_manage(app, "Jan Jansen")
    metainfo_shot("beheer.png", sizes)
    click(find(app, "Terug", "push button"))

    # F1
    # Without a window manager the keyboard follows the pointer
    (x, y), (w, h) = window.position, window.size
    rawinput.click(x + w // 2, y + 12)
    pressKey("F1")
    wait("F1 to open the help", lambda: j.help_calls() == ["help:zorgid-portaal"], 15)
    log("F1 ->", j.help_calls())

    # The primary menu's Hulp
    open_menu(app)
    item = find(app, contains="Hulp")
    shot("menu-hulp")
    click(item)
    wait("Hulp in the menu to open the help", lambda: j.help_calls() == ["help:zorgid-portaal"] * 2, 15)
    log("Hulp ->", j.help_calls())

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

    # The organisation check, from the login page of a fresh start
    if card_chain_ready():
        app = j.start_app(env)
        organisation_check(app, signed, card, sizes)
        j.stop_app()
    else:
        log("no card chain here (softcard.sh): organisatie-valideren.png not taken again")
    missing = sorted(set(sizes) - set(TAKEN))
    log("metainfo screenshots taken:", TAKEN, "not taken:", missing)
    if card_chain_ready() and missing:
        fail("the metainfo's screenshots %s were not taken" % missing)
    log("ok: the metainfo's screenshots, help by F1 and the menu, "
        "About with issue tracker and debug information")


if __name__ == "__main__":
    try:
        main()
    finally:
        j.stop_app()
