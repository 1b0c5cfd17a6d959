#!/usr/bin/python3
"""What a new administrator stumbled over, checked in the window at 1024x768.

Run by journey.sh (Xvfb, dbus-run-session, the window in Dutch). A stand-in
`yelp` on PATH, registered as the handler of help: URIs, records what it is
asked to open. Anna, Administrator of Zorggroep Noord, logs in:

- the users overview says "Actief" and shows birth dates as DD-MM-JJJJ;
- Gebruiker registreren: an empty birth date says to fill it in; Marieke
  "Boer" (no tussenvoegsel, lower case) born 04-03-1985 is Marieke de Boer,
  already registered: the question names her, her birth date and the
  organisation; Annuleren keeps the dialog, Naar gebruiker opens her page
  (birth date DD-MM-JJJJ) and registers nobody; typed again (ISO date),
  Toch registreren registers a second Marieke;
- Blokkeren on Bram's page: no reason chosen, Blokkeren insensitive until
  one is, then Bram is blocked;
- F1 opens the help page of the window in front: the overview (index),
  Voorkeuren (which shows Acceptatie, capitalised), Logboek, Openstaande
  registraties (its column "Status", not "Stand");
- without a help viewer (a second start, no yelp, no browser), F1 says the
  help cannot be opened and where it can be read.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (absent, admin, click, fail, find, find_all, front, log, mobile,  # noqa: E402
                     shot, start_app, stop_app, type_into, wait)
from dogtail import rawinput  # noqa: E402
from dogtail.rawinput import keyCombo, pressKey  # noqa: E402

URA = "12345678"
ORG = "Zorggroep Noord"
PHONE_MARIEKE2 = os.path.join(j.WORK, "phone-marieke2")


def f1(window):
    """F1 with @window in front: without a window manager the keyboard
    follows the pointer, so the pointer goes to its header bar first (left
    of the middle: the main window's view switcher lies in the middle)."""
    (x, y), (w, h) = window.position, window.size
    rawinput.click(x + w // 4, y + 12)
    time.sleep(0.3)
    pressKey("F1")


def help_opens(window, page):
    before = len(j.help_calls())
    f1(window)
    uri = "help:zorgid-portaal" + ("/" + page if page else "")
    wait("F1 to open " + uri, lambda: j.help_calls()[before:] == [uri], 15)
    log("F1 ->", uri)


def window_named(app, name):
    return wait("the window " + name, lambda: [w for w in app.children if w.name == name])[0]


def open_menu_item(app, item):
    find(app, "Hoofdmenu", "push button")
    click(find_all(app, "Hoofdmenu", "push button")[-1])
    time.sleep(0.8)
    click(find(app, item, timeout=10))


def main():
    j.stand_in_yelp()
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    admin("config", "set", "service-address", "127.0.0.1:%d" % port)
    admin("registration", "add", "--ura", URA, "--name", ORG)
    boot = json.loads(admin("--json", "organisation", "bootstrap", "--ura", URA,
                            "--first-name", "Anna", "--last-name", "Admin",
                            "--birth-date", "1980-01-01").stdout)
    anna = str(boot["user"])
    people = {}
    for first, last, born in (("Marieke", "de Boer", "1985-03-04"), ("Bram", "Beheer", "1990-05-05")):
        people[first] = json.loads(admin("--json", "user", "register", "--as", anna, "--organisation", URA,
                                         "--first-name", first, "--last-name", last,
                                         "--birth-date", born).stdout)

    env = j.window_size_1024x768()
    env["PATH"] = j.YELP_BIN + os.pathsep + os.environ["PATH"]
    app = start_app(env)
    window = find(app, role="frame", contains="ZORG-ID Portaal", timeout=30)
    find(app, "QR-code", "push button")
    mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    mobile(j.PHONE_BRAM, "enrol", people["Bram"]["enrolment_payload"])
    j.login(app, j.PHONE_ANNA, "anna")

    # The overview: Actief as everywhere, birth dates as DD-MM-JJJJ
    find(app, "Beheer Marieke de Boer", "push button")
    marieke = wait("Marieke's row", lambda: [n for n in find_all(app, "Marieke de Boer")
                                             if n.roleName != "push button" and n.description])[0]
    log("row", marieke.name, "|", marieke.description)
    if not marieke.description.startswith("Geboren 04-03-1985;") or "; Actief;" not in marieke.description:
        fail("Marieke's row reads %r, not her birth date as DD-MM-JJJJ and Actief" % marieke.description)
    shot("overview")

    # F1 on the overview: the help's index
    help_opens(window, None)

    # Gebruiker registreren: an empty birth date, then the same person
    click(find(app, "Gebruiker registreren", "push button"))
    dialog = window_named(app, "Gebruiker registreren")
    type_into(find(dialog, "Voornaam", "text"), "marieke")
    type_into(find(dialog, "Achternaam", "text"), "de boer")
    click(find(dialog, "Opslaan", "push button"))
    find(dialog, "Vul de geboortedatum in.", "label")
    shot("register-empty-birth-date")
    type_into(find(dialog, "Geboortedatum", "text"), "04-03-1985")
    click(find(dialog, "Opslaan", "push button"))
    known = "Marieke de Boer (geboren 04-03-1985) is al geregistreerd bij %s." % ORG
    find(app, known, "label")
    shot("register-already-registered")
    click(find(front(app), "Annuleren", "push button"))
    wait("the question closed", lambda: not find_all(app, known, "label"))
    find(dialog, "Opslaan", "push button")
    click(find(dialog, "Opslaan", "push button"))
    find(app, known, "label")
    click(find(front(app), "Naar gebruiker", "push button"))
    wait("the register dialog closed", lambda: not [w for w in app.children if w.name == "Gebruiker registreren"])
    find(app, "Marieke de Boer", "label")
    find(app, "04-03-1985", "label")
    shot("went-to-marieke")
    if len(j.admin_json("user", "list", "--as", anna)["users"]) != 3:
        fail("Naar gebruiker registered someone")
    click(find(app, "Terug", "push button"))

    # ... and Toch registreren: a second Marieke de Boer, her QR shown
    click(find(app, "Gebruiker registreren", "push button"))
    dialog = window_named(app, "Gebruiker registreren")
    type_into(find(dialog, "Voornaam", "text"), "Marieke")
    type_into(find(dialog, "Achternaam", "text"), "de Boer")
    type_into(find(dialog, "Geboortedatum", "text"), "1985-03-04")
    click(find(dialog, "Opslaan", "push button"))
    find(app, known, "label")
    click(find(front(app), "Toch registreren", "push button"))
    find(app, "Wachten op scan…", "label")
    _, payload = j.scan("second-marieke-qr")
    mobile(PHONE_MARIEKE2, "enrol", payload)
    find(app, "Gebruikt — de ZORG-ID is aan de telefoon toegevoegd", "label", timeout=20)
    click(find(front(app), "Sluiten", "push button"))
    mariekes = [u for u in j.admin_json("user", "list", "--as", anna)["users"] if u["first_name"] == "Marieke"]
    if len(mariekes) != 2:
        fail("Toch registreren: %d Mariekes" % len(mariekes))

    # Blokkeren: no reason beforehand, Blokkeren waits for one
    j.open_manage(app, "Bram Beheer")
    click(find(app, "Blokkeren", "push button"))
    find(app, "Bram Beheer blokkeren?", "label")
    j.block_with_reason(app, shot_name="block-no-reason")
    find(app, contains="Status: Geblokkeerd", role="label")
    shot("bram-blocked")
    click(find(app, "Terug", "push button"))

    # Voorkeuren: the environment capitalised; F1 there: voorkeuren
    keyCombo("<Control>comma")
    prefs = window_named(app, "Voorkeuren")
    find(find(prefs, "Omgeving", "combo box"), "Acceptatie", "label")
    shot("preferences")
    help_opens(prefs, "voorkeuren")
    pressKey("Escape")
    wait("Voorkeuren closed", lambda: not [w for w in app.children if w.name == "Voorkeuren"])

    # Logboek: logboek
    open_menu_item(app, "Logboek")
    logboek = window_named(app, "Logboek")
    help_opens(logboek, "logboek")
    click(find(logboek, "Sluiten", "push button"))

    # Openstaande registraties: its state column, its page
    open_menu_item(app, "Openstaande registraties")
    pending = window_named(app, "Openstaande registraties")
    find(pending, "Status")
    if find_all(pending, "Stand"):
        fail("the open enrolments still have a column Stand")
    find(pending, "04-03-1985", "label")
    shot("open-enrolments")
    help_opens(pending, "openstaande-registraties")
    click(find(pending, "Sluiten", "push button"))
    stop_app()

    # No help viewer, no browser: F1 says so, and where the help is
    os.remove(os.path.join(j.YELP_BIN, "yelp"))
    app = start_app(j.window_size_1024x768())
    find(app, "QR-code", "push button")
    keyCombo("<Control>comma")
    prefs = window_named(app, "Voorkeuren")
    f1(prefs)
    find(app, "Hulp kan niet worden geopend", timeout=15)
    where = find(app, contains="U kunt de hulp lezen op")
    log("help error:", where.name)
    if "voorkeuren.html" not in where.name:
        fail("the help error does not say where the help is: %r" % where.name)
    if find_all(app, contains="De bewerking is niet mogelijk"):
        fail("the help error is GIO's, not ours")
    shot("help-cannot-open")
    click(find(front(app), "Sluiten", "push button"))
    if not absent(app, "Hulp kan niet worden geopend"):
        fail("the help error stays open")
    print("ok - the review's findings: duplicate registration asked, Blokkeren waits for a reason, "
          "Dutch dates and labels, F1 per window", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
