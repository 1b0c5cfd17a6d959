#!/usr/bin/python3
"""From a completely fresh install to a completed organisation registration,
driving only the window: trust, the readiness check and §7.

Run by journey.sh inside `softcard.sh run` (a private pcscd with the vpcd
reader, our libcacard bridge as the card, OpenSC's PKCS#11 module), Xvfb and
dbus-run-session, with fresh XDG dirs and no trust folder set: the
application's built-in acceptatie trust (the UZI-Test CA G3 chain) is all
it trusts at first, as when installed. What the operator and the UZI
register hand the administrator is made by the test PKI scripts: the card
chain (tests/card/make-pki.sh) and a registration file signed with the
operator's root in it (tests/registration/make-operator-pki.sh,
`zorgid-admin registration sign`).

The journey: Controle on a fresh install → the service address in
Preferences → §7 says the registration file is missing and offers the
import → the file's signer is unknown: a wrong fingerprint is refused
(nothing imported, nothing trusted), cancel → import again with the
operator's fingerprint → the card of a register that is not trusted is
refused with one reason → its fix opens Preferences on the trust page: a
certificate that is not a CA is refused, the test register's root and CA
are added through the file chooser → again: PIN, organisation check, the
role by name, the birth date as DD-MM-JJJJ, the enrolment QR redeemed by
zorgid-mobile, the used QR can no longer be saved or printed → log in.
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
PHONE = os.path.join(j.WORK, "phone-jan")
CARD_PIN = "1234"
# As installed: the built-in trust of the source tree, nothing else
APP_ENV = {"ZID_BUILTIN_TRUST_DIR": os.path.join(SOURCE, "data/trust")}


def sh(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, text=True)
    if p.returncode != 0:
        log(" ".join(cmd), "->", p.returncode, p.stdout[-500:], p.stderr[-500:])
        fail("%s failed" % cmd[0])
    return p.stdout


def admin(*args):
    return run([j.ADMIN, "--data-dir", j.DATA] + list(args))


def registrations():
    out = admin("--json", "registration", "list", "--all").stdout
    return json.loads(out)["registrations"]


def operator_trust_files():
    d = os.path.join(j.DATA, "operator-trust")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def fingerprint(pem):
    out = sh("openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256")
    return out.strip().split("=", 1)[1]


def pin(app, text):
    entry = find(app, "PIN-code", "password text", timeout=30)
    entry.click()
    time.sleep(0.2)
    keyCombo("<Control>a")
    entry.typeText(text)
    pressKey("Return")


def preferences(app):
    before = len(app.children)
    keyCombo("<Control>comma")
    wait("the preferences", lambda: len(app.children) > before)
    return front(app)


def close_window(window):
    click(find(window, "Sluiten", "push button"))


def signer_dialog(app, button, signed):
    save_via_chooser(app, button, signed, wait_file=False)
    find(app, "Ondertekenaar controleren", timeout=20)
    dialog = app.children[-1]  # an AdwWindow: role "filler" on GTK 4.8
    find(dialog, contains="ZID Test VZVZ")
    return dialog


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")

    # What the UZI register and the operator hand over
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "corpus", PKI)
    sh(os.path.join(SOURCE, "tests/registration/make-operator-pki.sh"), OPKI)
    sh(os.path.join(SOURCE, "tests/card/make-pki.sh"), "card", PKI, "trust-jan",
       "--given", "Jan", "--surname", "Vries", "--uzi", "123456780")
    jan = os.path.join(PKI, "cards", "trust-jan")
    reg = os.path.join(j.WORK, "registration.json")
    with open(reg, "w") as f:
        json.dump({"version": 1, "ura": "12345678", "name": "Huisartsenpraktijk De Linde",
                   "agb": "01234567", "address": "Lindelaan 1, 3512 AB Utrecht",
                   "reference": "VZVZ-2025-000123", "created": "2025-03-01T09:30:00Z"}, f)
    # The operator puts its whole chain, root included, into the file
    chain = os.path.join(j.WORK, "operator-chain.pem")
    with open(chain, "w") as f:
        for pem in ("chain.pem", "trust/root.pem"):
            f.write(open(os.path.join(OPKI, pem)).read())
    signed = os.path.join(j.WORK, "registratie-12345678.p7m")
    sh(j.ADMIN, "--data-dir", os.path.join(j.WORK, "operator"), "registration", "sign",
       "--in", reg, "--key", os.path.join(OPKI, "operator.key"),
       "--cert", os.path.join(OPKI, "operator.pem"), "--chain", chain, "--out", signed)
    operator_fp = fingerprint(os.path.join(OPKI, "trust/root.pem"))
    # One digit off: what a mistyped or forged letter would say
    wrong_fp = operator_fp[:-1] + ("0" if operator_fp[-1] != "0" else "1")
    sh(SOFTCARD, "insert", jan)

    app = start_app(APP_ENV)
    find(app, "QR-code", "push button")
    shot("fresh-landing")

    # Controle on a fresh install: no registration, no operator signer yet
    click(find(app, "Controle", "push button"))
    find(app, "Controles", timeout=10)
    wait("the checks", lambda: find_all(app, contains="Organisatieregistratie: "), 30)
    find(app, contains="Vertrouwde UZI-certificaten: In orde")
    find(app, "Organisatieregistratie: Registratiebestand importeren…", "push button")
    shot("readiness-fresh")
    click(find(app, "Terug", "push button"))

    # The address phones use, set in the window; the service listens there
    # after a restart
    prefs = preferences(app)
    entry = find(prefs, "Adres en poort van de dienst")
    type_into(entry, "127.0.0.1:%d" % port)
    pressKey("Return")
    find(prefs, contains="Opgeslagen", timeout=10)
    shot("preferences-service-address")
    close_window(prefs)
    stop_app()
    app = start_app(APP_ENV)
    find(app, "QR-code", "push button")

    # §7: the file is missing, and the page says so and offers the import
    click(find(app, "Ik wil een organisatie valideren", "push button"))
    click(find(app, "Volgende: UZI-pas plaatsen", "push button"))
    find(app, "Eerst is er nog iets nodig", timeout=30)
    find(app, contains="Importeer het bestand dat u van VZVZ kreeg.")
    if find_all(app, contains="neem contact op met VZVZ"):
        fail("the operator is blamed for a file that was not imported")
    shot("validate-no-registration")

    # Its fix: the import. The signer is unknown: a wrong fingerprint
    # leaves nothing behind
    dialog = signer_dialog(app, "Oplossen: Registratiebestand importeren…", signed)
    find(dialog, contains=operator_fp)
    shot("signer-dialog")
    type_into(find(dialog, "Vingerafdruk van VZVZ", "text"), wrong_fp)
    click(find(dialog, "Vertrouwen en importeren", "push button"))
    find(dialog, contains="niet de vingerafdruk", timeout=10)
    shot("signer-wrong-fingerprint")
    if registrations() or operator_trust_files():
        fail("a wrong fingerprint imported or trusted something")
    click(find(dialog, "Annuleren", "push button"))
    find(app, contains="niets ingelezen", timeout=10)
    shot("signer-cancelled")
    if registrations() or operator_trust_files():
        fail("cancelling the signer imported or trusted something")

    # The operator's fingerprint: trusted and imported
    dialog = signer_dialog(app, "Registratiebestand importeren…", signed)
    type_into(find(dialog, "Vingerafdruk van VZVZ", "text"), operator_fp.lower().replace(":", " "))
    click(find(dialog, "Vertrouwen en importeren", "push button"))
    find(app, contains="Huisartsenpraktijk De Linde (URA 12345678) is ingelezen", timeout=20)
    find(app, contains="Ondertekend door: ZID Test VZVZ")
    shot("registration-imported")
    if len(registrations()) != 1 or len(operator_trust_files()) != 1:
        fail("the confirmed signer was not trusted once, or the file not imported")

    # A card of a register this environment does not trust: one reason
    click(find(app, "Volgende: UZI-pas plaatsen", "push button"))
    find(app, "UZI-pas van Jan Vries (UZI-nummer 123456780)", timeout=30)
    pin(app, CARD_PIN)
    find(app, "De registratie kan niet worden afgerond", timeout=30)
    reason = find(app, contains="niet uitgegeven door een UZI-register dat voor de omgeving acceptatie")
    shot("card-untrusted-register")
    if "\n" in (reason.name or ""):
        fail("the refusal of the card gives more than one reason: %r" % reason.name)
    find(app, "Opnieuw proberen", "push button")

    # Its fix: Preferences, on the trust page
    before = len(app.children)
    click(find(app, "Oplossen: UZI-certificaten toevoegen…", "push button"))
    wait("the preferences", lambda: len(app.children) > before)
    prefs = front(app)
    find(prefs, contains="Vertrouwde UZI-certificaten (acceptatie)")
    find(prefs, contains="TEST Zorg CSP Root CA G3")
    shot("trust-page-built-in")

    # Not a CA: refused in the group, with the reason; nothing stored
    save_via_chooser(app, "Vertrouwd UZI-certificaat toevoegen…", os.path.join(jan, "auth.pem"),
                     wait_file=False)
    find(prefs, contains="Niet toegevoegd", timeout=20)
    shot("trust-not-a-ca")
    if os.path.isdir(os.path.join(j.DATA, "uzi-trust")) and os.listdir(os.path.join(j.DATA, "uzi-trust")):
        fail("a certificate that is not a CA was stored as UZI trust")

    # The test register's root and CA, each through the file chooser
    save_via_chooser(app, "Vertrouwd UZI-certificaat toevoegen…", os.path.join(PKI, "trust/root.pem"),
                     wait_file=False)
    find(prefs, contains="ZID Test UZI Root CA", timeout=20)
    save_via_chooser(app, "Vertrouwd UZI-certificaat toevoegen…", os.path.join(PKI, "trust/sub.pem"),
                     wait_file=False)
    find(prefs, contains="ZID Test UZI-register Zorgverlener CA", timeout=20)
    if find_all(prefs, contains="Niet toegevoegd"):
        fail("the refusal stays shown after a certificate was added")
    shot("trust-test-register-added")
    close_window(prefs)

    # Again: the card is now trusted
    click(find(app, "Opnieuw proberen", "push button"))
    find(app, "UZI-pas van Jan Vries (UZI-nummer 123456780)", timeout=30)
    pin(app, CARD_PIN)
    find(app, "Controleer de organisatiegegevens", timeout=30)
    shot("organisation-check")
    click(find(app, "Volgende: de gegevens kloppen", "push button"))
    find(app, "Controleer uw UZI-pasgegevens")
    find(app, contains="Huisarts (01.015)")
    shot("card-holder-role")
    click(find(app, "Volgende: geboortedatum", "push button"))
    type_into(find(app, "Uw geboortedatum", "text"), "03-04-1975")
    click(find(app, "Volgende: organisatie aanmaken", "push button"))

    # The enrolment QR, redeemed by the phone; then it cannot be kept
    find(app, "Wachten op scan…", "label", timeout=30)
    png, payload = scan("enrolment-qr")
    mobile(PHONE, "enrol", "--qr-image", png)
    find(app, "ID toegevoegd", "label", timeout=20)
    qr = front(app)
    find(qr, contains="De QR-code is gebruikt")
    for name in ("Opslaan als afbeelding…", "Afdrukken"):
        button = find(qr, name, "push button")
        if button.sensitive:
            fail("%s is still possible after the QR was used" % name)
    find(app, "Organisatie gevalideerd", timeout=20)
    shot("qr-used")
    click(find(qr, "Sluiten", "push button"))
    orgs = [r for r in registrations() if r.get("completed")]
    if len(orgs) != 1:
        fail("the organisation was not created")
    shot("registration-done")
    click(find(app, "Naar inloggen", "push button"))

    # Log in with the phone
    j.login(app, PHONE, "jan")
    find(app, contains="Ingelogd als Jan Vries")
    stop_app()
    print("ok - from a fresh install to a completed registration through the window", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
