#!/usr/bin/python3
"""Printing the enrolment letters through GTK's own print dialog, at 1024x768.

Run by journey.sh (Xvfb, dbus-run-session, the window in Dutch). No print
server runs here: the printer is GTK's "Afdrukken naar bestand" (the file
print backend of libgtk-4-1), chosen in the real print dialog with the
output file's name and the PDF format, as a person would. Anna registers
Bram in the window; the QR window's Afdrukken prints his letter: one page,
naming him, its QR the code on screen, and Bram's phone enrols from the
printed page. Then she imports a team from a spreadsheet and prints the
same letters from the import dialog: one page per new person, each naming
that person, and a printed QR redeems for the person it names.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, front, log, mobile, run,  # noqa: E402
                     save_via_chooser, scan, shot, stop_app, wait)
from dogtail import rawinput  # noqa: E402

URA = "12345678"
PHONE_SANNE = os.path.join(j.WORK, "phone-sanne")
TEAM = ("Sanne de Vries", "Jan van den Berg", "Pieter Jansen")
CSV = ("voornaam;tussenvoegsel;achternaam;geboortedatum\r\n"
       "Sanne;de;Vries;05-03-1985\r\n"
       "Jan;van den;Berg;1970-12-01\r\n"
       "Pieter;;Jansen;1990-06-15\r\n")


def print_to_file(app, button, path, shot_name):
    """Clicks @button, which opens GTK's print dialog; chooses the printer
    "Afdrukken naar bestand", the output file @path and the format PDF,
    prints, and waits for the whole PDF."""
    before = list(app.children)
    click(find(front(app), button, "push button"))
    dialog = wait("the print dialog", lambda: [w for w in app.children
                                               if w not in before and w.name == "Afdrukken"], 30)[0]
    # No print server here: GTK's file printer is the only one, and is
    # not chosen by itself
    printer = find(dialog, "Afdrukken naar bestand", "label", timeout=30)
    shot(shot_name + "-dialog")
    rawinput.click(*j.middle(printer))
    # The file printer's own options: the file (a button opening the file
    # chooser) and the format
    target = find(dialog, "Bestand:", "panel")
    chooser_button = wait("the output file's button",
                          lambda: [b for b in target.children if b.roleName == "push button"])[0]
    pdf = find(dialog, "PDF", "check box")
    before = len(app.children)
    click(chooser_button)
    j.fill_chooser(app, before, path)
    wait("the file chooser closed", lambda: len(app.children) == before)
    wait("the output file in the dialog",
         lambda: os.path.basename(path) in find(target, role="push button").name)
    click(pdf)
    if not pdf.checked:
        fail("the print dialog's PDF format is not chosen")
    shot(shot_name + "-dialog-file-printer")
    click(find(dialog, "Afdrukken", "push button"))
    wait("the print dialog closed", lambda: dialog not in app.children)

    def printed():
        p = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
        return p.returncode == 0
    wait("the printed " + path, printed, timeout=30)
    time.sleep(1)
    log("printed", path, oct(os.stat(path).st_mode & 0o777), os.path.getsize(path), "bytes")
    # Its codes enrol whoever holds them: readable by its owner only
    wait("the printed file readable by its owner only",
         lambda: os.stat(path).st_mode & 0o777 == 0o600, timeout=10)


def a4(pdf):
    """Every page of @pdf is A4, as the letters are laid out."""
    out = run(["pdfinfo", "-l", "-1", pdf]).stdout
    sizes = [l for l in out.splitlines() if l.startswith("Page") and "size:" in l]
    return sizes and all("595.2" in l and "841.8" in l for l in sizes)


def main():
    boot = j.new_organisation(URA, "Zorggroep Noord")
    team = os.path.join(j.WORK, "team.csv")
    with open(team, "w", encoding="utf-8", newline="") as f:
        f.write(CSV)
    app = j.start_as_anna(boot)

    # 1. Bram registered; his QR window's Afdrukken prints his letter: one
    # A4 page naming him, its QR the code on screen, and his phone enrols
    # from the printed page
    j.register(app, "Bram", "Beheer", "1990-05-05")
    _, on_screen = scan("enrolment-qr-bram")
    letter = os.path.join(j.WORK, "brief-bram.pdf")
    print_to_file(app, "Afdrukken", letter, "print-bram")
    if j.pdf_pages(letter) != 1 or not a4(letter):
        fail("Bram's printed letter is not one A4 page")
    text = j.pdf_page_text(letter, 1)
    for words in ("Bram Beheer", "Zorggroep Noord", "Geldig tot en met"):
        if words not in text:
            fail("Bram's printed letter does not say %r: %r" % (words, text))
    png, printed = j.pdf_page_qr(letter, 1, "printed-bram")
    if printed != on_screen:
        fail("the printed QR %r is not the code on screen %r" % (printed, on_screen))
    mobile(j.PHONE_BRAM, "enrol", "--qr-image", png)
    find(app, "ID toegevoegd", "label")
    shot("print-bram-enrolled")
    click(find(front(app), "Sluiten", "push button"))

    # 2. A team imported from a spreadsheet, its letters saved; Afdrukken
    # in the import dialog prints the same letters: a page per new person,
    # each naming one of them with the code of their saved letter
    dialog = j.open_import(app, team)
    find(dialog, contains="3 nieuw", timeout=30)
    if j.find_all(dialog, "Afdrukken", "push button"):
        fail("the import offers to print letters before there are any")
    saved = os.path.join(j.WORK, "brieven.pdf")
    save_via_chooser(app, "Importeren", saved)
    find(dialog, contains="Geregistreerd: 3 nieuw", timeout=30)
    printed = os.path.join(j.WORK, "brieven-afgedrukt.pdf")
    print_to_file(app, "Afdrukken", printed, "print-import")
    if j.pdf_pages(printed) != 3 or not a4(printed):
        fail("the printed letters are not three A4 pages")
    codes = {}
    for page in (1, 2, 3):
        named = [p for p in TEAM if p in j.pdf_page_text(printed, page)]
        if len(named) != 1 or named[0] in codes:
            fail("printed page %d names %r" % (page, named))
        codes[named[0]] = j.pdf_page_qr(printed, page, "printed-%d" % page)
        if codes[named[0]][1] != j.pdf_page_qr(saved, page, "saved-%d" % page)[1]:
            fail("printed page %d does not carry the code of the saved letter" % page)
    log("printed letters for", sorted(codes))
    mobile(PHONE_SANNE, "enrol", "--qr-image", codes["Sanne de Vries"][0])
    still_open = sorted(u["user"]["first_name"] for u in j.admin_json(
        "user", "pending", "--as", str(boot["user"]), "--organisation", URA)["pending"])
    if still_open != ["Jan", "Pieter"]:
        fail("after Sanne enrolled from her printed letter, open: %r" % still_open)
    shot("print-import-sanne-enrolled")
    click(find(dialog, "Sluiten", "push button"))

    stop_app()
    print("ok - the letters printed through GTK's print dialog to a file: one user's from the QR "
          "window, the import's from its dialog, each page's QR the code its person enrols with",
          flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
