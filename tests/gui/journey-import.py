#!/usr/bin/python3
"""Onboarding a team from a spreadsheet, in the window, at 1024x768.

Run by journey.sh (Xvfb, dbus-run-session, the window in Dutch). Anna,
Administrator of Zorggroep Noord, logs in with the reference phone, opens
Gebruikers importeren on the users page and chooses a CSV file of four
people, one of them with an impossible birth date. The preview counts
three new and one refused, with the reason on its row. She imports
without fixing anything: the letters are saved as PDF (one page per new
person, private), and the three are registered. Openstaande registraties
lists them; one enrols from their letter (the page rendered with
pdftoppm, its QR decoded with zbarimg, redeemed by zorgid-mobile) and
leaves the list by itself. New codes for the whole selection save one
letter per person, each page's QR the new code of the person it names
(the old codes refused). A new code for another one saves a letter whose
QR is that new code.

At 1024 px the dialog's hint names the tussenvoegsel column, the refused
row's reason is shown whole (wrapped, inside the dialog), F1 opens the
help's importeren page; after the import the result is said in the
dialog (no toast over Sluiten), the rows say Geregistreerd, and Bestand
kiezen still takes a corrected file for a new preview.
"""
import csv
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (absent, click, fail, find, find_all, log, mobile,  # noqa: E402
                     save_via_chooser, shot, stop_app, wait)
from dogtail import rawinput  # noqa: E402
from dogtail.rawinput import keyCombo, pressKey, typeText  # noqa: E402

URA = "12345678"
PHONE_SANNE = os.path.join(j.WORK, "phone-sanne")
PHONE_JAN = os.path.join(j.WORK, "phone-jan")
PHONE_PIETER = os.path.join(j.WORK, "phone-pieter")
PHONE_CARLA = os.path.join(j.WORK, "phone-carla")
PEOPLE = ("Sanne de Vries", "Jan van den Berg", "Pieter Jansen")
CSV = ("\ufeffvoornaam;tussenvoegsel;achternaam;geboortedatum\r\n"
       "Sanne;de;Vries;05-03-1985\r\n"
       "Jan;van den;Berg;1970-12-01\r\n"
       "Zoë;;Bergsma;31-02-2001\r\n"
       "Pieter;;Jansen;1990-06-15\r\n")


def letter_person(pdf, page):
    """Whom @page of @pdf is addressed to."""
    text = j.pdf_page_text(pdf, page)
    named = [p for p in PEOPLE if p in text]
    if len(named) != 1:
        fail("page %d of %s names %r" % (page, pdf, named))
    return named[0]


def main():
    boot = j.new_organisation(URA, "Zorggroep Noord")
    anna = str(boot["user"])
    team = os.path.join(j.WORK, "team.csv")
    with open(team, "w", encoding="utf-8", newline="") as f:
        f.write(CSV)

    j.stand_in_yelp()
    app = j.start_as_anna(boot, {"PATH": j.YELP_BIN + os.pathsep + os.environ["PATH"]})

    # 1. Gebruikers importeren: the file, then its preview
    click(find(app, "Gebruikers importeren", "push button"))
    dialog = wait("the import dialog", lambda: [w for w in app.children if w.name == "Gebruikers importeren"])[0]
    find(dialog, contains="tussenvoegsel", role="label")
    save_via_chooser(app, "Bestand kiezen", team, wait_file=False)
    counts = find(dialog, contains="3 nieuw", timeout=30)
    if "1 geweigerd" not in counts.name:
        fail("the preview counts %r" % counts.name)
    find(dialog, "Geweigerd", "label")
    find(dialog, "Zoë Bergsma", "label")
    # the reason whole: its label within the dialog, its row higher than
    # a row of one line
    reason = find(dialog, contains="Ongeldige geboortedatum", role="label")
    name = find(dialog, "Sanne de Vries", "label")
    (rx, _), (rw, rh) = reason.position, reason.size
    (dx, _), (dw, _) = dialog.position, dialog.size
    log("reason", repr(reason.name), "at x", rx, "width", rw, "height", rh, "; a name's height", name.size[1],
        "; the dialog from x", dx, "width", dw)
    if rx + rw > dx + dw or rh < 2 * name.size[1]:
        fail("the refusal reason is cut off or on one line: %dx%d at %d" % (rw, rh, rx))
    shot("import-preview")

    # F1 in the dialog: the help's page on importing
    rawinput.click(dx + dw // 4, dialog.position[1] + 12)
    time.sleep(0.3)
    pressKey("F1")
    wait("F1 to open the importeren page", lambda: j.help_calls() == ["help:zorgid-portaal/importeren"], 15)
    if len(j.admin_json("user", "list", "--as", anna)["users"]) != 1:
        fail("the preview registered someone")

    # 2. Importeren: the letters first, then the registrations
    letters = os.path.join(j.WORK, "brieven.pdf")
    save_via_chooser(app, "Importeren", letters)
    find(dialog, contains="Geregistreerd: 3 nieuw", timeout=30)
    find(dialog, contains="Geïmporteerd: de brieven zijn opgeslagen", role="label")
    if len(find_all(dialog, "Geregistreerd", "label")) != 3 or find_all(dialog, "Nieuw", "label"):
        fail("the registered rows do not say Geregistreerd")
    shot("import-done")
    if os.stat(letters).st_mode & 0o777 != 0o600:
        fail("the letters are not private: mode %o" % (os.stat(letters).st_mode & 0o777))
    if j.pdf_pages(letters) != 3:
        fail("the letters have %d pages, not one per new person" % j.pdf_pages(letters))
    users = {u["first_name"]: u for u in j.admin_json("user", "list", "--as", anna)["users"]}
    if sorted(users) != ["Anna", "Jan", "Pieter", "Sanne"]:
        fail("registered: %r" % sorted(users))

    # A corrected file: Bestand kiezen still works, a new preview
    if not find(dialog, "Bestand kiezen", "push button").sensitive:
        fail("Bestand kiezen is not possible after the import")
    fixed = os.path.join(j.WORK, "team-fixed.csv")
    with open(fixed, "w", encoding="utf-8", newline="") as f:
        f.write(CSV.replace("31-02-2001", "28-02-2001"))
    save_via_chooser(app, "Bestand kiezen", fixed, wait_file=False)
    counts = find(dialog, contains="1 nieuw", timeout=30)
    if "3 al geregistreerd" not in counts.name or "0 geweigerd" not in counts.name:
        fail("the corrected file's preview counts %r" % counts.name)
    shot("import-corrected-preview")
    click(find(dialog, "Sluiten", "push button"))

    # 3. Openstaande registraties from the main menu
    click(find(app, "Hoofdmenu", "push button"))
    click(find(app, "Openstaande registraties", timeout=10))
    window = wait("the open enrolments", lambda: [w for w in app.children
                                                   if w.name == "Openstaande registraties"])[0]
    find(window, contains="3 openstaande registraties", timeout=20)
    for name in ("Sanne de Vries", "Jan van den Berg", "Pieter Jansen"):
        find(window, name, "label")
    shot("open-enrolments")
    # Its "Nieuwe code" buttons carry their action's parameter type: GTK
    # warns once per row and redraw otherwise
    with open(os.path.join(j.WORK, "app.log")) as f:
        if "parameter type mismatch" in f.read():
            fail("the open enrolments warn of an action parameter type mismatch (app.log)")
    old = {letter_person(letters, page): j.pdf_page_qr(letters, page)[1] for page in (1, 2, 3)}

    # 4. New codes for the whole selection: a letter per person, each page's
    # QR that person's new code; an old code is refused
    click(find(window, "Sanne de Vries", "label"))
    keyCombo("<Control>a")
    time.sleep(0.5)
    shot("open-enrolments-selected")
    selection = os.path.join(j.WORK, "selectie.pdf")
    save_via_chooser(app, "Nieuwe codes voor de selectie", selection)
    find(window, contains="3 nieuwe codes", timeout=20)
    if os.stat(selection).st_mode & 0o777 != 0o600:
        fail("the letters are not private: mode %o" % (os.stat(selection).st_mode & 0o777))
    if j.pdf_pages(selection) != 3:
        fail("the selection's letters have %d pages, not 3" % j.pdf_pages(selection))
    fresh = {}
    for page in (1, 2, 3):
        person = letter_person(selection, page)
        fresh[person] = j.pdf_page_qr(selection, page, "selection-%d" % page)
        if fresh[person][1] == old[person]:
            fail("the new letter of %s carries the old code" % person)
    if sorted(fresh) != sorted(PEOPLE):
        fail("the selection's letters are for %r" % sorted(fresh))
    mobile(PHONE_PIETER, "enrol", old["Pieter Jansen"], ok=(1, 2, 3, 4, 5))
    find(window, contains="3 openstaande registraties", timeout=20)

    # 5. Sanne enrols from her new letter and leaves the list
    png, payload = fresh["Sanne de Vries"]
    mobile(PHONE_SANNE, "enrol", "--qr-image", png)
    find(window, contains="2 openstaande registraties", timeout=20)
    time.sleep(0.5)
    if find_all(window, "Sanne de Vries", "label"):
        fail("Sanne enrolled but is still listed")
    shot("open-enrolments-sanne-enrolled")

    # 6. A new code for Jan: its letter redeems, his code before no longer does
    old = fresh["Jan van den Berg"][1]
    new_letter = os.path.join(j.WORK, "brief-jan.pdf")
    save_via_chooser(app, "Nieuwe code voor Jan van den Berg", new_letter)
    find(window, contains="nieuwe code", timeout=20)
    png, payload = j.pdf_page_qr(new_letter, 1)
    if payload == old:
        fail("the new letter carries the old code")
    mobile(PHONE_JAN, "enrol", old, ok=(1, 2, 3, 4, 5))
    mobile(PHONE_JAN, "enrol", "--qr-image", png)
    find(window, contains="1 openstaande registratie,", timeout=20)
    shot("open-enrolments-jan-enrolled")

    # 7. The open enrolments exported, read back as a spreadsheet would
    out = os.path.join(j.WORK, "open.csv")
    save_via_chooser(app, "Exporteren als CSV", out)
    with open(out, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";", strict=True))
    log("export", rows)
    if rows[0][:4] != ["Nummer", "Voornaam", "Achternaam", "Geboortedatum"] or \
            [r[1] for r in rows[1:]] != ["Pieter"]:
        fail("the export holds %r" % rows)

    # 8. The users of the organisation exported from the overview, every
    # column of the list, read back the same way
    click(find(window, "Sluiten", "push button"))
    wait("the open enrolments closed", lambda: not [w for w in app.children
                                                    if w.name == "Openstaande registraties"])
    everyone = os.path.join(j.WORK, "gebruikers.csv")
    save_via_chooser(app, "Gebruikers exporteren", everyone)
    with open(everyone, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";", strict=True))
    log("users export", rows)
    if rows[0] != ["Nummer", "Voornaam", "Achternaam", "Geboortedatum", "Rol", "Organisaties en rollen",
                   "Status", "Blokkadereden", "Mobiele ID", "Laatst gebruikt", "Geregistreerd"] and \
            rows[0][:4] != ["Nummer", "Voornaam", "Achternaam", "Geboortedatum"]:
        fail("the users export's header is %r" % rows[0])
    if sorted(r[1] for r in rows[1:]) != ["Anna", "Jan", "Pieter", "Sanne"] or \
            len({len(r) for r in rows}) != 1 or \
            sorted(r[4] for r in rows[1:]) != ["Administrator", "Gebruiker", "Gebruiker", "Gebruiker"]:
        fail("the users export holds %r" % rows)

    # 9. Ctrl+N: typing goes to the first name at once. Ctrl+Q with a QR
    # code not scanned asks first; once used, the code shows so and Ctrl+Q
    # quits without asking
    keyCombo("<Control>n")
    find(app, "Voornaam", "text")
    time.sleep(1)
    typeText("Carla")  # where the focus is: a lost first name refuses the save
    j.type_into(find(app, "Achternaam", "text"), "Zorg")
    j.type_into(find(app, "Geboortedatum", "text"), "1995-02-03")
    pressKey("Return")
    find(app, "Wachten op scan…", "label")
    find(app, contains="Carla Zorg")
    keyCombo("<Control>q")
    find(app, "QR-code sluiten?", timeout=10)
    shot("quit-asks")
    if j.app_proc.poll() is not None:
        fail("Ctrl+Q quit with a QR code not scanned")
    pressKey("Escape")
    if not absent(app, "QR-code sluiten?"):
        fail("Annuleren left the question open")
    _, payload = j.scan("quit-cancelled-qr")
    mobile(PHONE_CARLA, "enrol", payload)
    find(app, "Gebruikt — de ZORG-ID is aan de telefoon toegevoegd", "label", timeout=20)
    if find_all(app, contains="uur geldig"):
        fail("the used QR code still says how long it is valid")
    shot("qr-used")
    keyCombo("<Control>q")
    wait("the application quit", lambda: j.app_proc.poll() is not None, 10)
    if j.app_proc.returncode != 0:
        fail("the application quit with %d" % j.app_proc.returncode)
    j.app_proc = None
    print("ok - a team imported from a spreadsheet, its letters saved, one enrolled from a letter",
          flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
