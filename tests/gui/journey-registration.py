#!/usr/bin/python3
"""Organisation registration with the UZI-pas through the real window.

Run by journey.sh inside `softcard.sh run` (a private pcscd with the vpcd
reader, our libcacard bridge as the card, OpenSC's PKCS#11 module), Xvfb and
dbus-run-session. Cards come from tests/card/make-pki.sh, the operator's
signed registration file from tests/registration/make-operator-pki.sh and
`zorgid-admin registration sign`.

Journey 1, a new mobile ID: import the signed registration in the window →
refusals (a card of an organisation without a registration, a card of type
M) → the right card, a wrong PIN (tries left shown), the right PIN → the
organisation check → card pulled out (back to the card step, nothing stored)
→ again → card holder data → birth date (a future one refused) → the
enrolment QR decoded from the screen and redeemed by zorgid-mobile → done
→ log in as the new Administrator → a UZI-pas attribute read from the card
onto their own ID.
Journey 2, an existing mobile ID (step 4): the same person's card of a
second organisation → done at once → logged in, both organisations listed.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, front, log, mobile, run,  # noqa: E402
                     save_via_chooser, scan, shot, start_app, stop_app, type_into, wait)
from dogtail.rawinput import keyCombo, pressKey  # noqa: E402

SOFTCARD = os.environ["ZID_SOFTCARD"]
SOURCE = os.environ["ZID_SOURCE_ROOT"]
PKI = os.path.join(j.WORK, "card-pki")
OPKI = os.path.join(j.WORK, "operator-pki")
PHONE_JAN = os.path.join(j.WORK, "phone-jan")
CARD_PIN = "1234"


def sh(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, text=True)
    if p.returncode != 0:
        log(" ".join(cmd), "->", p.returncode, p.stdout[-500:], p.stderr[-500:])
        fail("%s failed" % cmd[0])
    return p.stdout


def card(name, *options):
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "card", PKI, name, *options)
    return os.path.join(PKI, "cards", name)


def insert(path):
    sh(SOFTCARD, "insert", path)


def eject():
    sh(SOFTCARD, "eject")


def remove():
    sh(SOFTCARD, "remove")


def admin(*args):
    return run([j.ADMIN, "--data-dir", j.DATA] + list(args))


def organisations():
    out = admin("--json", "registration", "list", "--all").stdout
    return [r for r in json.loads(out)["registrations"] if r.get("completed")]


def refused(app, contains, name):
    find(app, "De registratie kan niet worden afgerond", timeout=30)
    find(app, contains=contains, timeout=5)
    shot("refused-" + name)


def pin(app, text):
    entry = find(app, "PIN-code", "password text", timeout=30)
    entry.click()
    time.sleep(0.2)
    keyCombo("<Control>a")
    entry.typeText(text)
    pressKey("Return")


def begin_validation(app):
    click(find(app, "Ik wil een organisatie valideren", "push button"))
    click(find(app, "Volgende: UZI-pas plaatsen", "push button"))
    find(app, "Plaats uw UZI-pas in de kaartlezer")


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")

    # The test PKIs and cards (cached per work dir; the corpus first)
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "corpus", PKI)
    sh(os.path.join(SOURCE, "tests/registration/make-operator-pki.sh"), OPKI)
    jan = card("gui-jan", "--given", "Jan", "--surname", "Vries")
    jan2 = card("gui-jan-2", "--given", "Jan", "--surname", "Vries", "--ura", "23456789",
                "--org", "Wijkteam Oost")
    other = card("gui-other", "--ura", "99999999", "--uzi", "111111111")
    type_m = card("gui-type-m", "--type", "M", "--ura", "12345678", "--uzi", "222222222")

    # The operator's signed registration file
    admin("config", "set", "service-address", "127.0.0.1:%d" % port)
    signed = j.sign_registration(OPKI, {
        "ura": "12345678", "name": "Huisartsenpraktijk De Linde", "agb": "01234567",
        "address": "Lindelaan 1, 3512 AB Utrecht", "reference": "VZVZ-2025-000123",
        "created": "2025-03-01T09:30:00Z"})

    app = start_app({"ZID_UZI_TRUST_DIR": os.path.join(PKI, "trust"),
                     "ZID_OPERATOR_TRUST_DIR": os.path.join(OPKI, "trust")})
    find(app, "QR-code", "push button")

    # --- Journey 1 -------------------------------------------------------
    click(find(app, "Ik wil een organisatie valideren", "push button"))
    find(app, "Organisatie valideren")
    shot("validate-start")
    save_via_chooser(app, "Registratiebestand importeren…", signed, wait_file=False)
    find(app, contains="Huisartsenpraktijk De Linde (URA 12345678) is ingelezen", timeout=20)
    shot("registration-imported")

    click(find(app, "Volgende: UZI-pas plaatsen", "push button"))
    find(app, "Plaats uw UZI-pas in de kaartlezer")
    find(app, contains="Geen kaart in de kaartlezer")
    shot("card-step-no-card")

    # Refusal: no pending registration for the card's URA (points to VZVZ)
    insert(other)
    refused(app, "VZVZ", "no-registration")
    eject()
    click(find(app, "Opnieuw proberen", "push button"))

    # Refusal: a card of type M
    insert(type_m)
    refused(app, "persoonsgebonden", "card-type-m")
    eject()
    click(find(app, "Opnieuw proberen", "push button"))

    # The right card: a wrong PIN first, the tries left are shown
    insert(jan)
    find(app, "UZI-pas van Jan Vries (UZI-nummer 123456789)", timeout=30)
    find(app, contains="geblokkeerd na 3 onjuiste pogingen")
    shot("pin-entry")
    pin(app, "9999")
    find(app, contains="nog 2", timeout=30)
    shot("pin-wrong")
    pin(app, CARD_PIN)
    find(app, "Controleer de organisatiegegevens", timeout=30)
    find(app, "Huisartsenpraktijk De Linde", "label")
    find(app, "Zorginstelling Test", "label")
    if len(find_all(app, "12345678", "label")) < 2:
        fail("the URA of the registration and of the card are not both shown")
    shot("organisation-check")

    # Card out before the confirmation: back to the card step, nothing stored
    remove()
    find(app, contains="niets opgeslagen", timeout=20)
    shot("card-removed")
    if organisations():
        fail("pulling the card out stored an organisation")
    insert(jan)
    pin(app, CARD_PIN)
    find(app, "Controleer de organisatiegegevens", timeout=30)
    click(find(app, "Volgende: de gegevens kloppen", "push button"))

    # Fig. 17, 18
    find(app, "Controleer uw UZI-pasgegevens")
    find(app, contains="Z — zorgverlenerspas")
    shot("card-holder")
    click(find(app, "Volgende: geboortedatum", "push button"))
    find(app, "Vul uw geboortedatum in")
    type_into(find(app, "Uw geboortedatum", "text"), "2999-01-01")
    click(find(app, "Volgende: organisatie aanmaken", "push button"))
    find(app, contains="toekomst")
    shot("birth-date-future")
    type_into(find(app, "Uw geboortedatum", "text"), "1975-04-03")
    click(find(app, "Volgende: organisatie aanmaken", "push button"))

    # Fig. 19/20: the QR window; the phone redeems it; Fig. 21
    find(app, "Wachten op scan…", "label", timeout=30)
    if len(organisations()) != 1:
        fail("the organisation does not exist once the data was confirmed")
    png, payload = scan("registration-enrolment-qr")
    mobile(PHONE_JAN, "enrol", "--qr-image", png)
    find(app, "ID toegevoegd", "label")
    find(app, "Organisatie gevalideerd", timeout=20)
    shot("registration-done-new-id")
    click(find(front(app), "Sluiten", "push button"))
    click(find(app, "Naar inloggen", "push button"))

    # Log in as the new Administrator
    j.login(app, PHONE_JAN, "jan")
    find(app, contains="Ingelogd als Jan Vries")

    # §8.1: an attribute "via a UZI-pas": the card proves itself with its PIN
    # and the attribute goes to Jan's own ID
    click(find(app, "Beheer Jan Vries", "push button"))
    find(app, "Jan Vries", "label")
    click(find(app, "Attribuut registreren", "push button"))
    j.open_dropdown(find(front(app), "Type", "combo box"))
    for _ in range(3):
        pressKey("Up")
    pressKey("Return")
    time.sleep(0.5)
    entry = find(front(app), "PIN-code", "password text")
    entry.click()
    entry.typeText(CARD_PIN)
    shot("uzi-attribute-form")
    click(find(front(app), "Opslaan", "push button"))
    find(app, contains="Taakcode 123456789", timeout=30)
    shot("uzi-attribute-added")
    click(find(app, "Terug", "push button"))
    j.logout(app)

    # --- Journey 2: the same person, a second organisation --------------
    admin("registration", "add", "--ura", "23456789", "--name", "Wijkteam Oost")
    eject()
    insert(jan2)
    begin_validation(app)
    pin(app, CARD_PIN)
    find(app, "Controleer de organisatiegegevens", timeout=30)
    find(app, "Wijkteam Oost", "label")
    click(find(app, "Volgende: de gegevens kloppen", "push button"))
    find(app, "Organisatie gevalideerd", timeout=30)
    find(app, contains="bestaande ZORG-ID is gekoppeld")
    shot("registration-done-existing-id")
    if len(organisations()) != 2:
        fail("the second organisation was not created")
    click(find(app, "Naar inloggen", "push button"))
    j.login(app, PHONE_JAN, "jan-two-organisations")
    click(find(app, "Organisaties"))
    find(app, contains="Wijkteam Oost")
    find(app, contains="Huisartsenpraktijk De Linde")
    shot("jan-two-organisations")
    stop_app()

    # --- No card program visible: the card step gives the one-time command
    admin("registration", "add", "--ura", "34567890", "--name", "Praktijk Zuid")
    app = start_app({"ZID_UZI_TRUST_DIR": os.path.join(PKI, "trust"),
                     "ZID_OPERATOR_TRUST_DIR": os.path.join(OPKI, "trust"),
                     "ZID_PKCS11_MODULE": os.path.join(j.WORK, "no-such-module.so")})
    begin_validation(app)
    find(app, contains="voer deze opdracht eenmalig uit", timeout=30)
    find(app, contains="safesign-uzi.module ~/.config/pkcs11/modules/")
    shot("card-step-no-module")
    stop_app()
    print("ok - organisation registration with the UZI card, new and existing mobile ID; "
          "the card step names the command when no card program shows the card", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
