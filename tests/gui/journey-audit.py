#!/usr/bin/python3
"""Logboek: the audit trail in the window, at 1024x768.

Run by journey.sh (Xvfb, dbus-run-session, the window in Dutch). Anna,
Administrator of Zorggroep Noord, logs in with the reference phone; the
trail also holds another organisation's events, which she must not see.
She opens Logboek from the main menu, sees the chain verified at the top,
filters by user and by action, and exports what the filter shows to CSV;
the file is read back with Python's csv module and must hold exactly the
events `zorgid-admin audit list --as` gives for the same filter.
"""
import csv
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, front, log, mobile, run,  # noqa: E402
                     save_via_chooser, shot, start_app, stop_app, type_into, wait)
from dogtail.rawinput import pressKey  # noqa: E402


def admin(*args):
    return run([j.ADMIN, "--data-dir", j.DATA] + list(args))


def events(*args):
    return json.loads(admin("--json", "audit", "list", *args).stdout)["events"]


def status(window, contains):
    return find(window, contains=contains, timeout=20)


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")

    admin("config", "set", "service-address", "127.0.0.1:%d" % port)
    admin("registration", "add", "--ura", "12345678", "--name", "Zorggroep Noord")
    admin("registration", "add", "--ura", "87654321", "--name", "Thuiszorg Zuid")
    boot = json.loads(admin("--json", "organisation", "bootstrap", "--ura", "12345678",
                            "--first-name", "Anna", "--last-name", "Admin",
                            "--birth-date", "1980-01-01").stdout)
    other = json.loads(admin("--json", "organisation", "bootstrap", "--ura", "87654321",
                             "--first-name", "Otto", "--last-name", "Zuid",
                             "--birth-date", "1970-01-01").stdout)
    anna = str(boot["user"])
    users = []
    for first, last in (("Zoë", "de Vries"), ("Bram", "Beheer"), ("Carla", "Cornelis")):
        users.append(json.loads(admin("--json", "user", "register", "--as", anna, "--organisation",
                                      "12345678", "--first-name", first, "--last-name", last,
                                      "--birth-date", "1990-05-05").stdout)["user"])
    admin("user", "register", "--as", str(other["user"]), "--organisation", "87654321",
          "--first-name", "Hans", "--last-name", "Zuid", "--birth-date", "1990-01-01")

    app = start_app()
    find(app, "QR-code", "push button")
    mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    j.login(app, j.PHONE_ANNA, "anna")

    # Logboek from the main menu
    click(find(app, "Hoofdmenu", "push button"))
    item = find(app, "Logboek", timeout=10)
    shot("main-menu")
    click(item)
    window = wait("the Logboek window", lambda: [w for w in app.children if w.name == "Logboek"])[0]
    status(window, "Logboek intact")
    seen = events("--as", anna)
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(seen))
    if find_all(window, "87654321", "label") or find_all(window, "user:%d" % other["user"], "label"):
        fail("Anna sees another organisation's events")
    shot("audit-view")

    # Filter by user: only the events about Zoë
    zoe = users[0]
    type_into(find(window, "Filteren op gebruiker", "text"), str(zoe))
    pressKey("Return")
    about_zoe = events("--as", anna, "--user", str(zoe))
    status(window, "%d gebeurtenis" % len(about_zoe))
    time.sleep(0.5)
    # the Betreft column: Zoë only (user:1 is Anna, who acted)
    subjects = {n.name for n in find_all(window, role="label") if n.name.startswith("user:")}
    if "user:%d" % zoe not in subjects or subjects - {"user:%d" % zoe, "user:" + anna}:
        fail("filtered by user %d, the list shows %r" % (zoe, subjects))
    shot("audit-filter-user")

    # Filter by action: Gebruikers (user.*), for every user again
    type_into(find(window, "Filteren op gebruiker", "text"), "")
    pressKey("BackSpace")
    pressKey("Return")
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(seen))
    j.open_dropdown(find(window, "Filteren op actie", "combo box"))
    shot("audit-action-choices")
    pressKey("Down")  # from Alle acties to Gebruikers
    pressKey("Return")
    user_events = events("--as", anna, "--action", "user")
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(user_events))
    time.sleep(0.5)
    actions = {n.name for n in find_all(window, role="label") if "." in n.name and n.name[0].islower()}
    if not actions or not all(a.startswith("user.") for a in actions):
        fail("filtered by action 'user', the list shows %r" % actions)
    shot("audit-filter-action")

    # Export what the filter shows, and read it back as a spreadsheet would
    out = os.path.join(j.WORK, "logboek.csv")
    save_via_chooser(app, "Exporteren als CSV", out)
    find(window, contains="gebeurtenissen geëxporteerd", timeout=20)
    shot("audit-exported")
    raw = open(out, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        fail("the export has no byte order mark")
    with open(out, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=";", strict=True))
    log("export", rows[:3])
    if rows[0] != ["Nummer", "Tijd", "Door", "Actie", "Betreft", "Details", "Hash"]:
        fail("the export's header is %r" % rows[0])
    want = []
    for e in reversed(user_events):
        t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).astimezone()
        want.append([str(e["id"]), t.strftime("%Y-%m-%d %H:%M:%S"), e["actor"], e["action"],
                     e["subject"] or "", e["details"] or "", e["hash"]])
    if rows[1:] != want:
        fail("the export %r is not the filtered trail %r" % (rows[1:], want))

    click(find(window, "Sluiten", "push button"))
    wait("Logboek closed", lambda: not [w for w in app.children if w.name == "Logboek"])
    stop_app()
    log("journey-audit: OK")


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_app()
