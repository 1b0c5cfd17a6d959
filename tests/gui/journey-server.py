#!/usr/bin/python3
"""The window working against an organisation server.

Run by tests/fixtures/zid-pg-fixture.sh (ZID_TEST_PG_URI: a private
PostgreSQL) around journey.sh (Xvfb, dbus-run-session, fresh XDG dirs).

The journey: an organisation on the PostgreSQL database, `zorgid-admin
server run` serving it → `zorgid-portaal --server CONNECTION-CODE` on a
desktop data dir of its own: the header names the server, the landing
page's login QR is the server's (its host the server's address, its
session in the server's database) and the Administrator's phone logs in
with it → the users of the server's database are listed → a user
registered in the window is in the server's database, and her phone
enrols from the window's QR at the server: the QR window says so → a
user registered by zorgid-admin on the server appears in the window
within seconds, without a reload → logging out ends the session at the
server → the desktop's data dir holds no database: nothing was stored
on this computer.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import click, fail, find, log, scan, shot, start_app, stop_app, wait  # noqa: E402

URI = os.environ["ZID_TEST_PG_URI"]
DESKTOP = os.path.join(j.WORK, "desktop")
PHONE_EVA = os.path.join(j.WORK, "phone-eva")
PSQL = sorted(p for p in (os.path.join("/usr/lib/postgresql", v, "bin/psql")
                          for v in os.listdir("/usr/lib/postgresql")) if os.path.exists(p))[-1]


def sql(query):
    return subprocess.run([PSQL, "-d", URI, "-XAtqc", query], capture_output=True, text=True,
                          check=True).stdout.strip()


def start_server(address):
    return subprocess.Popen([j.ADMIN, "--data-dir", j.DATA, "--database", URI, "server", "run",
                             "--listen", address],
                            stdout=open(os.path.join(j.WORK, "server.log"), "a"),
                            stderr=subprocess.STDOUT)


def fill_register(app, first_name, last_name, birth_date):
    """Gebruiker registreren, filled in, not yet saved."""
    click(find(app, "Gebruiker registreren", "push button"))
    j.type_into(find(app, "Voornaam", "text"), first_name)
    j.type_into(find(app, "Achternaam", "text"), last_name)
    j.type_into(find(app, "Geboortedatum", "text"), birth_date)


def main():
    os.environ["ZID_DATABASE"] = URI
    boot = j.new_organisation("12345678", "Zorggroep Noord")
    j.admin_json("user", "register", "--as", "1", "--organisation", "12345678", "--first-name",
                 "Dirk", "--last-name", "Database", "--birth-date", "1970-01-01")
    address = boot["enrolment_payload"].split("host=")[1].split("&")[0]
    port = int(address.split(":")[1])
    code = j.admin_json("server", "connection-code")["connection_code"]
    del os.environ["ZID_DATABASE"]
    server = start_server(address)
    try:
        wait("the organisation server", lambda: j.listening(port), 30)
        j.mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])

        app = start_app(extra_args=["--data-dir", DESKTOP, "--server", code])
        find(app, contains="Portaalserver " + address, timeout=20)
        wait("the login QR", lambda: j.find_all(app, "QR-code", "push button"))
        time.sleep(0.5)
        png, payload = scan("00-server-login")
        if "host=" + address not in payload or not payload.startswith("zorgid://login"):
            fail("the login QR is not the server's: " + payload)
        session = payload.split("session=")[1].split("&")[0]
        if sql("SELECT count(*) FROM login_sessions WHERE id = '%s'" % session) != "1":
            fail("the login QR's session is not in the server's database: " + payload)
        log("the login QR is the server's")
        j.mobile(j.PHONE_ANNA, "login", "--qr-image", png)
        find(app, "Uitloggen", "push button", timeout=20)
        find(app, contains="Dirk", timeout=20)
        shot("01-server-users")
        log("logged in through the server; its users listed")

        # a user registered in the window is registered at the server; her
        # phone enrols from the window's QR at the server, and the QR
        # window follows it
        j.register(app, "Eva", "Extern", "1990-05-05")
        if sql("SELECT count(*) FROM users WHERE last_name = 'Extern'") != "1":
            fail("the user registered in the window is not in the server's database")
        png, payload = scan("02-server-enrolment")
        if "host=" + address not in payload:
            fail("the enrolment QR is not the server's: " + payload)
        j.mobile(PHONE_EVA, "enrol", "--qr-image", png)
        find(app, "ID toegevoegd", "label", timeout=20)
        shot("03-server-enrolled")
        log("registered in the window, enrolled at the server: the QR window saw it")
        click(find(j.front(app), "Sluiten", "push button"))

        # a change made elsewhere (zorgid-admin on the server's database)
        # shows in the window within seconds, without a reload
        before = time.monotonic()
        subprocess.run([j.ADMIN, "--data-dir", j.DATA, "--database", URI, "user", "register", "--as", "1",
                        "--organisation", "12345678", "--first-name", "Frits", "--last-name", "Fris",
                        "--birth-date", "1975-07-07"], check=True, stdout=subprocess.DEVNULL)
        find(app, contains="Fris", timeout=10)
        seen = time.monotonic() - before
        shot("04-server-live")
        log("a user registered elsewhere appeared after %.1f s" % seen)
        if seen > 3:
            fail("the change made elsewhere took %.1f s to appear" % seen)

        # the server goes away while a registration is being filled in: the
        # window says so; saving then is reported not done and nothing is
        # lost; the server back, the same save succeeds, once
        banner = "De portaalserver %s antwoordt niet" % address
        fill_register(app, "Gerrit", "Gemist", "1980-08-08")
        server.kill()
        server.wait(10)
        find(app, contains=banner, timeout=10)
        shot("05-server-gone")
        log("the server killed: the banner says so")
        click(find(j.front(app), "Opslaan", "push button"))
        find(app, contains="De server op " + address + " antwoordt niet", timeout=20)
        shot("06-server-gone-not-done")
        if sql("SELECT count(*) FROM users WHERE last_name = 'Gemist'") != "0":
            fail("a registration saved while the server was away is in the database")
        log("saved while the server was away: reported not done")
        server = start_server(address)
        wait("the organisation server again", lambda: j.listening(port), 30)
        wait("the banner gone", lambda: not j.find_all(app, contains=banner), 10)
        click(find(j.front(app), "Opslaan", "push button"))
        find(app, "Wachten op scan…", "label", timeout=20)
        # saved again without typing anything: what was typed was kept
        if sql("SELECT count(*) FROM users WHERE first_name = 'Gerrit' AND last_name = 'Gemist'"
               " AND birth_date = '1980-08-08'") != "1":
            fail("the registration saved again is not in the database once")
        shot("07-server-back")
        log("the server back: the banner gone, the same registration done once")
        click(find(j.front(app), "Sluiten", "push button"))
        # a QR not yet scanned: the window asks first
        find(app, "QR-code sluiten?", timeout=10)
        click(find(j.front(app), "Sluiten", "push button"))
        wait("the QR window closed", lambda: not j.find_all(app, "QR-code sluiten?"))

        # the session ended at the server: back to the login QR, with why
        sql("UPDATE admin_sessions SET ended = 1 WHERE ended IS NULL AND user_id IS NOT NULL")
        find(app, contains="sessie is beëindigd", timeout=10)
        wait("the login QR", lambda: j.find_all(app, "QR-code", "push button"))
        shot("08-session-ended")
        log("the session ended at the server: the window asks for a new login")
        time.sleep(0.5)
        png, payload = scan("09-login-again")
        j.mobile(j.PHONE_ANNA, "login", "--qr-image", png)
        find(app, "Uitloggen", "push button", timeout=20)
        find(app, contains="Gemist", timeout=20)
        log("logged in again: the work goes on")

        j.logout(app)
        wait("the session ended at the server",
             lambda: sql("SELECT count(*) FROM admin_sessions WHERE user_id IS NOT NULL AND ended IS NULL")
             == "0", 10)
        log("logging out ended the session at the server")
        stop_app()
        stored = [n for n in (os.listdir(DESKTOP) if os.path.isdir(DESKTOP) else [])
                  if n.endswith(".db") or n == "store.conf"]
        if stored:
            fail("something was stored on this computer: %s" % stored)
    finally:
        server.terminate()
        server.wait(10)
    print("ok - the window works against the organisation server", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
