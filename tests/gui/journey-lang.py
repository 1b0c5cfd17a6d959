#!/usr/bin/python3
"""Every text in the user's language, at 1024x768.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, AT-SPI). The same
window, twice: under LANG=C.UTF-8 (no LANGUAGE) it is English, under Dutch
(nl_NL.UTF-8 where the machine has that locale, else LANGUAGE=nl under
C.UTF-8, which glibc honours the same way) it is Dutch. On each: the login
screen, the users overview after the reference phone logs in, a user's
page, and the register dialog refusing a birth date (a refusal made by the
core). Every name and description on those screens is checked against
words known to be of the other language.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, front, log, mobile, run, shot,  # noqa: E402
                     start_app, stop_app, type_into, wait)

URA = "12345678"
# People, the organisation and the roles' technical names (Administrator,
# Beheerder, Gebruiker) and of the environments are the same in every language
PROPER = ["Anna Admin", "Anna", "Admin", "Piet Wachter", "Piet", "Wachter", "Kliniek Alfa",
          "Administrator", "Beheerder", "Gebruiker", "Acceptatie", "acceptatie", "ZORG-ID Portaal", "ZORG-ID", "URA"]
DUTCH = ["Uitloggen", "Ingelogd", "gebruikers", "Gebruikers", "Beheer ", "Geboortedatum",
         "Ongeldige", "geboortedatum", "Niet geactiveerd", "Voornaam", "Achternaam", "Zoeken",
         "Nooit", "Actief", "registreren", "Annuleren", "Opslaan", "Organisatie",
         "JJJJ", "bestaande datum", "Inloggen", "Voorkeuren", "Certificaten", "Wachten", " de ",
         " het ", " een ", " niet ", " van ", " met ", " uw "]
ENGLISH = ["Log Out", "Logged in", "users", "Users", "Manage ", "Birth date", "Invalid",
           "Not activated", "First name", "Last name", "Search", "Never", "Active", "Register",
           "Cancel", "Save", "Organisation", "YYYY", "a date that exists", "Preferences",
           "Certificates", "Waiting", " the ", " is ", " not ", " of ", " with ", " your "]


def admin(*args):
    return json.loads(run([j.ADMIN, "--data-dir", j.DATA, "--json"] + list(args)).stdout)


def texts(node, out, depth=0):
    """The names and descriptions of every showing node below @node."""
    if depth > 60:
        return out
    try:
        if node.showing:
            for t in (node.name, node.description):
                if t:
                    out.add(t)
        for child in node.children:
            texts(child, out, depth + 1)
    except Exception:  # the tree changes under us
        pass
    return out


def check(app, screen, language):
    wrong = DUTCH if language == "en" else ENGLISH
    found = []
    for t in sorted(texts(front(app), set())):
        plain = t
        for p in PROPER:
            plain = plain.replace(p, "")
        plain = " %s " % plain
        hits = [w for w in wrong if re.search(r"(?<![\w-])" + re.escape(w.strip()) + r"(?![\w-])", plain)
                if w.strip() == w] + [w for w in wrong if w.strip() != w and w in plain]
        if hits:
            found.append("%r (%s)" % (t, ", ".join(hits)))
    shot("%s-%s" % (language, screen))
    if found:
        fail("%s screen %s shows words of the other language: %s" % (language, screen, "; ".join(found)))
    log("%s %s: no word of the other language" % (language, screen))


def journey(language, env, words, phone, enrolment=None):
    app = start_app(env)
    if enrolment:
        mobile(phone, "enrol", enrolment)
    wait("the login QR", lambda: find_all(app, words["qr"], "push button"))
    check(app, "login", language)
    png, payload = j.scan("%s-login-qr" % language)
    mobile(phone, "login", "--qr-image", png)
    find(app, words["logout"], "push button")
    wait("Piet's row", lambda: find_all(app, words["manage"] + " Piet Wachter", "push button"))
    check(app, "overview", language)

    click(find(app, words["manage"] + " Piet Wachter", "push button"))
    find(app, "Piet Wachter", "label")
    check(app, "user-page", language)

    click(find(app, words["register"], "push button"))
    type_into(find(app, words["first"], "text"), "Karel")
    type_into(find(app, words["last"], "text"), "Proef")
    type_into(find(app, words["birth"], "text"), "31-02-1990")
    click(find(front(app), words["save"], "push button"))
    find(app, contains=words["refusal"])
    check(app, "register-refused", language)
    stop_app()


def main():
    port = j.free_port()
    run([j.ADMIN, "--data-dir", j.DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([j.ADMIN, "--data-dir", j.DATA, "registration", "add", "--ura", URA, "--name", "Kliniek Alfa"])
    boot = admin("organisation", "bootstrap", "--ura", URA, "--first-name", "Anna",
                 "--last-name", "Admin", "--birth-date", "1980-01-01")
    admin("user", "register", "--as", str(boot["user"]), "--organisation", URA,
          "--first-name", "Piet", "--last-name", "Wachter", "--birth-date", "1975-04-04")
    with open(j.PIN, "w") as f:
        f.write("4711\n")

    english = {"qr": "QR code", "logout": "Log Out", "manage": "Manage", "register": "Register User",
               "first": "First name", "last": "Last name", "birth": "Birth date", "save": "Save",
               "refusal": "Invalid birth date"}
    dutch = {"qr": "QR-code", "logout": "Uitloggen", "manage": "Beheer", "register": "Gebruiker registreren",
             "first": "Voornaam", "last": "Achternaam", "birth": "Geboortedatum", "save": "Opslaan",
             "refusal": "Ongeldige geboortedatum"}

    journey("en", {"LC_ALL": "", "LANGUAGE": "", "LANG": "C.UTF-8"}, english, j.PHONE_ANNA, boot["enrolment_payload"])

    locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    if any(l.lower().replace("-", "") in ("nl_nl.utf8",) for l in locales):
        nl_env = {"LC_ALL": "", "LANGUAGE": "", "LANG": "nl_NL.UTF-8"}
    else:
        log("no nl_NL.UTF-8 locale on this machine: Dutch through LANGUAGE=nl under C.UTF-8")
        nl_env = {"LC_ALL": "C.UTF-8", "LANGUAGE": "nl"}
    journey("nl", nl_env, dutch, j.PHONE_ANNA)
    print("ok - the window in English under C.UTF-8 and in Dutch under nl, refusals included", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
