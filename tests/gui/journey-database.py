#!/usr/bin/python3
"""The window on a PostgreSQL database, named by --database or by the
data dir's setting.

Run by tests/fixtures/zid-pg-fixture.sh (ZID_TEST_PG_URI: a private
PostgreSQL) around journey.sh (Xvfb, dbus-run-session, fresh XDG dirs).

The journey: an organisation made with zorgid-admin on the PostgreSQL
database → `zorgid-portaal --database URI` opens the window; its login QR
is a login session of that database (the data dir holds no database
file) and the Administrator's phone logs in with it: the users of the
database are listed (before, a Gebruiker scanned the same QR: refused,
and the window said so) → the same data dir started without --database, after
`zorgid-admin config set database URI`: the same → a database setting that
does not read: the window does not open and says why, in Dutch, and
nothing is made.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import fail, find, log, scan, shot, start_app, stop_app, wait  # noqa: E402

URI = os.environ["ZID_TEST_PG_URI"]
PHONE_DIRK = os.path.join(j.WORK, "phone-dirk")
PSQL = sorted(p for p in (os.path.join("/usr/lib/postgresql", v, "bin/psql")
                          for v in os.listdir("/usr/lib/postgresql")) if os.path.exists(p))[-1]


def sql(query):
    return subprocess.run([PSQL, "-d", URI, "-XAtqc", query], capture_output=True, text=True,
                          check=True).stdout.strip()


def login_and_list(app, label):
    """The window's login QR is a session of the database; the phone
    answers it and the users of the database are listed."""
    png, payload = scan(label + "-login")
    session = payload.split("session=")[1].split("&")[0]
    if sql("SELECT count(*) FROM login_sessions WHERE id = '%s'" % session) != "1":
        fail("the login QR's session is not in the PostgreSQL database: " + payload)
    log("the login QR is a session of the PostgreSQL database")
    j.mobile(j.PHONE_ANNA, "login", payload)
    find(app, contains="Dirk", timeout=20)
    shot(label + "-users")
    if os.path.exists(os.path.join(j.DATA, "zorgid.db")):
        fail("a database file was made in the data dir")


def main():
    os.environ["ZID_DATABASE"] = URI
    boot = j.new_organisation("12345678", "Zorggroep Noord")
    dirk = j.admin_json("user", "register", "--as", "1", "--organisation", "12345678", "--first-name",
                        "Dirk", "--last-name", "Database", "--birth-date", "1970-01-01")
    del os.environ["ZID_DATABASE"]

    app = start_app(extra_args=["--database", URI])
    # the window's service enrols the Administrator's phone
    wait("the window's service", lambda: j.listening(int(boot["enrolment_payload"].split("host=127.0.0.1:")[1]
                                                         .split("&")[0])), 30)
    j.mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    j.mobile(PHONE_DIRK, "enrol", dirk["enrolment_payload"])

    # Dirk, a Gebruiker, scans the login QR, his phone reaching another
    # service on the same database (its own process, the same data dir):
    # he is refused, and the window, which never saw his request, says so
    # too; the QR stays good for Anna
    port = j.free_port()
    other = subprocess.Popen([j.ADMIN, "--data-dir", j.DATA, "--database", URI, "service", "run",
                              "--listen", "127.0.0.1:%d" % port],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait("the other service", lambda: j.listening(port), 30)
        png, payload = scan("00-login")
        host = payload.split("host=")[1].split("&")[0]
        j.mobile(PHONE_DIRK, "login", payload.replace("host=" + host, "host=127.0.0.1:%d" % port), ok=(1,))
    finally:
        other.terminate()
        other.wait(10)
    find(app, contains="Uw ZORG-ID heeft geen toegang tot het portaal", timeout=10)
    shot("00-refused")
    log("a Gebruiker's login at another service: refused, and the window says so")
    login_and_list(app, "01-option")
    stop_app()

    j.admin("config", "set", "database", URI)
    app = start_app()
    login_and_list(app, "02-setting")
    stop_app()

    with open(os.path.join(j.DATA, "store.conf"), "w") as f:
        f.write("[store\n")
    app = start_app()
    find(app, contains="De database-instelling", timeout=20)
    find(app, contains="store.conf")
    shot("03-bad-setting")
    if os.path.exists(os.path.join(j.DATA, "zorgid.db")):
        fail("a database file was made beside a setting that does not read")
    log("a setting that does not read: the window says so, nothing made")
    stop_app()
    print("ok - the window on the PostgreSQL database of --database and of the data dir's setting",
          flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
