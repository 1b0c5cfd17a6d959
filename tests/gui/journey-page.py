#!/usr/bin/python3
"""The user page and its dialogs through the real window, at 1024x768.

Run by journey.sh (ZID_GUI_SCREEN=1024x768) inside `softcard.sh run`: a
private pcscd with the vpcd reader, our libcacard bridge as the UZI card.

- Enter submits the register dialog (no click on Opslaan).
- The page keeps the person's name and status in view while its facts scroll.
- A refused attribute (an empty, then a bad task code) keeps the dialog open
  with its input and shows the core's refusal in it; a good one closes it.
- The block confirmation names the person in its question.
- A new certificate for a blocked user: no success, the window says the
  phone waits for Activeren, so does the QR window, and the reference phone
  is refused with user-blocked in Dutch.
- The UZI attribute: a wrong PIN keeps the dialog open with the tries left;
  the third locks the card, and the dialog says so.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (admin, click, fail, find, find_all, front, heading_in_view, log, mobile,  # noqa: E402
                     open_manage, scan, sh, shot, start_app, stop_app, type_into, wait)
from dogtail.rawinput import pressKey  # noqa: E402

SOFTCARD = os.environ["ZID_SOFTCARD"]
SOURCE = os.environ["ZID_SOURCE_ROOT"]
PKI = os.path.join(j.WORK, "card-pki")
PHONE_BRAM = os.path.join(j.WORK, "phone-bram")


def is_dialog_open(app):
    """A dialog or the QR window over the main window."""
    return len(app.children) > 1


def entry_text(node):
    text = node.queryText()
    return text.getText(0, text.characterCount)


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "corpus", PKI)
    card = os.path.join(PKI, "cards", "gui-anna")
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "card", PKI, "gui-anna",
       "--given", "Anna", "--surname", "Admin")

    admin("config", "set", "service-address", "127.0.0.1:%d" % port)
    admin("registration", "add", "--ura", "12345678", "--name", "Zorggroep Noord")
    boot = json.loads(admin("--json", "organisation", "bootstrap", "--ura", "12345678",
                            "--first-name", "Anna", "--last-name", "Admin",
                            "--birth-date", "1980-01-01").stdout)
    bram = json.loads(admin("--json", "user", "register", "--as", str(boot["user"]),
                            "--organisation", "12345678", "--first-name", "Bram",
                            "--last-name", "Beheer", "--birth-date", "1990-05-05").stdout)

    env = j.window_size_1024x768()
    env["ZID_UZI_TRUST_DIR"] = os.path.join(PKI, "trust")
    app = start_app(env)
    find(app, "QR-code", "push button")
    mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    mobile(PHONE_BRAM, "enrol", bram["enrolment_payload"])
    j.login(app, j.PHONE_ANNA, "anna")
    (w, h) = app.children[0].size
    log("window size", w, h)
    # 1024x768 on the screen, less the frame's shadow (5 px a side)
    if not (1000 <= w <= 1024 and 740 <= h <= 768):
        fail("the window is %dx%d, not 1024x768" % (w, h))

    # Enter submits the register dialog
    click(find(app, "Gebruiker registreren", "push button"))
    type_into(find(app, "Voornaam", "text"), "Carla")
    type_into(find(app, "Achternaam", "text"), "Zorg")
    type_into(find(app, "Geboortedatum", "text"), "1995-02-03")
    shot("register-typed")
    pressKey("Return")
    find(app, "Wachten op scan…", "label")
    shot("register-enter-submitted")
    click(find(front(app), "Sluiten", "push button"))
    find(app, contains="slechts eenmaal")
    click(find(front(app), "Sluiten", "push button"))
    wait("the QR window closed", lambda: not is_dialog_open(app))

    # The name and the status stay in view while the page scrolls
    open_manage(app, "Bram Beheer")
    find(app, "Status: Actief", "label")
    j.scroll(j.middle(find(app, "Persoonsgegevens", "list")), 12)
    shot("page-scrolled")
    if heading_in_view(app, "Persoonsgegevens"):
        fail("the page did not scroll")
    if not heading_in_view(app, "Bram Beheer") or not heading_in_view(app, "Status: Actief"):
        fail("the name and status scrolled out of view")

    # A refused attribute keeps the dialog, its input and the refusal in it
    click(find(app, "Attribuut registreren", "push button"))
    find(front(app), "Taakcode", "text")
    pressKey("Return")  # an empty task code
    find(front(app), contains="1 tot 64 tekens")
    if not is_dialog_open(app):
        fail("an empty task code closed the attribute dialog")
    shot("attribute-empty-refused")
    type_into(find(front(app), "Taakcode", "text"), "T 100!")
    click(find(front(app), "Opslaan", "push button"))
    find(front(app), contains="alleen letters, cijfers")
    if not is_dialog_open(app):
        fail("a bad task code closed the attribute dialog")
    typed = entry_text(find(front(app), "Taakcode", "text"))
    if typed != "T 100!":
        fail("the refused task code was not kept: %r" % typed)
    shot("attribute-bad-refused-input-kept")
    type_into(find(front(app), "Taakcode", "text"), "T-100")
    pressKey("Return")
    find(app, contains="Taakcode T-100")
    wait("the attribute dialog closed", lambda: not is_dialog_open(app))
    shot("attribute-added")

    # The block confirmation names the person
    click(find(app, "Blokkeren", "push button"))
    find(app, "Bram Beheer blokkeren?", "label")
    shot("block-confirmation-names-person")
    j.block_with_reason(app)
    find(app, contains="Status: Geblokkeerd", role="label")
    wait("the block dialog closed", lambda: not is_dialog_open(app))

    # Revoking asks with the person's name; so does granting Administrator,
    # and cancelling that question leaves the role dialog as it was
    click(find(app, contains="intrekken", role="push button"))
    find(app, "Certificaat van Bram Beheer intrekken?", "label")
    shot("revoke-confirmation-names-person")
    click(find(front(app), "Annuleren", "push button"))
    wait("the revoke question closed", lambda: not is_dialog_open(app))
    click(find(app, "Organisatie registreren", "push button"))
    j.open_dropdown(find(front(app), "Autorisatie", "combo box"))
    find(app, "Administrator", "label")
    pressKey("Down")
    pressKey("Down")
    pressKey("Return")
    time.sleep(0.5)
    pressKey("Return")  # Enter answers the role dialog
    find(app, "Bram Beheer Administrator maken?", "label")
    shot("grant-administrator-names-person")
    click(find(front(app), "Annuleren", "push button"))
    find(front(app), "Autorisatie", "combo box")
    click(find(front(app), "Annuleren", "push button"))
    wait("the role dialog closed", lambda: not is_dialog_open(app))
    if find_all(app, contains="Rol: Administrator"):
        fail("cancelling the question granted Administrator")

    # New certificate while blocked: the wait, in the window and the QR
    # window; the phone is refused with user-blocked
    click(find(app, "Certificaat registreren", "push button"))
    find(app, "Wacht op Activeren: de gebruiker is geblokkeerd", "label")
    if find_all(app, "Wachten op scan…", "label"):
        fail("the QR window of a blocked user waits for a scan")
    png, payload = scan("new-certificate-blocked-qr")
    p = mobile(PHONE_BRAM, "enrol", "--qr-image", png, ok=(1,))
    said = p.stdout + p.stderr
    if "user-blocked" not in said or "deblokkeren" not in said:
        fail("the phone was not refused with user-blocked in Dutch: %r" % said)
    click(find(front(app), "Sluiten", "push button"))
    find(app, contains="slechts eenmaal")
    click(find(front(app), "Sluiten", "push button"))
    wait("the QR window closed", lambda: not is_dialog_open(app))
    find(app, contains="kan het pas toevoegen nadat Bram Beheer is gedeblokkeerd")
    if find_all(app, contains="nieuw certificaat is geregistreerd"):
        fail("a success was reported for a certificate that cannot be added yet")
    shot("new-certificate-blocked-window")
    click(find(app, "Terug", "push button"))

    # The UZI attribute: wrong PINs keep the dialog, with the tries left;
    # the third locks the card and the dialog says so
    sh(SOFTCARD, "insert", card)
    open_manage(app, "Anna Admin")
    click(find(app, "Attribuut registreren", "push button"))
    j.open_dropdown(find(front(app), "Type", "combo box"))
    for _ in range(3):
        pressKey("Up")
    pressKey("Return")
    time.sleep(0.5)
    for attempt, expect in ((1, "Nog 2 pogingen"), (2, "Nog 1 poging"),
                            (3, "De PIN-code van deze UZI-pas is geblokkeerd")):
        entry = find(front(app), "PIN-code", "password text")
        entry.click()
        entry.typeText("9999")
        pressKey("Return")
        find(front(app), contains=expect, timeout=40)
        if not is_dialog_open(app):
            fail("wrong PIN %d closed the UZI attribute dialog" % attempt)
        shot("uzi-attribute-wrong-pin-%d" % attempt)
    click(find(front(app), "Annuleren", "push button"))
    wait("the attribute dialog closed", lambda: not is_dialog_open(app))
    stop_app()
    print("ok - the user page and its dialogs at 1024x768", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
