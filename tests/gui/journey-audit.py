#!/usr/bin/python3
"""Logboek: the audit trail in the window, at 1024x768.

The trail is longer than two pages: the list starts with the newest page
and grows as it is scrolled, down to the oldest event.

Run by journey.sh (Xvfb, dbus-run-session, the window in Dutch). Anna,
Administrator of Zorggroep Noord, logs in with the reference phone; the
trail also holds another organisation's events, which she must not see.
She opens Logboek from the main menu, sees the chain verified at the top,
filters by user (by number; by a name that finds one user; by a name
that finds two, offered under the entry, Enter taking the first), by
action and by dates, and exports what the filter shows to CSV;
the file is read back with Python's csv module and must hold exactly the
events `zorgid-admin audit list --as` gives for the same filter.
"""
import csv
import datetime
import hashlib
import json
import os
import sqlite3
import struct
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


def append_events(n, subject):
    """@n more events about @subject at the end of the trail, chained as
    the store chains them (a trail longer than a page)."""
    db = sqlite3.connect(os.path.join(j.DATA, "zorgid.db"))
    last_id, prev, t = db.execute("SELECT id, hash, time FROM audit ORDER BY id DESC LIMIT 1").fetchone()

    def text(h, s):
        if s is None:
            h.update(struct.pack(">I", 0xFFFFFFFF))
        else:
            b = s.encode()
            h.update(struct.pack(">I", len(b)) + b)
    for i in range(n):
        last_id += 1
        t += 1
        row = (last_id, t, "operator", "organisation.note", subject, "note=%d" % i)
        h = hashlib.sha256(prev + struct.pack(">qq", last_id, t))
        for s in row[2:]:
            text(h, s)
        digest = h.digest()
        db.execute("INSERT INTO audit (id, time, actor, action, subject, details, prev, hash)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row + (prev, digest))
        prev = digest
    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('audit-head', ?)",
               ("%d:%s" % (last_id, prev.hex()),))
    db.commit()
    db.close()
    out = admin("--json", "audit", "verify").stdout
    if json.loads(out) != {"intact": True}:
        fail("the appended events do not chain: " + out)


def status(window, contains):
    return find(window, contains=contains, timeout=20)


def counted(n):
    return "%d gebeurtenis, nieuwste eerst" % n if n == 1 else "%d gebeurtenissen, nieuwste eerst" % n


def entry_text(node):
    text = node.queryText()
    return text.getText(0, text.characterCount)


PEOPLE = {"Anna Admin", "Otto Zuid", "Zoë de Vries", "Bram Beheer", "Carla Cornelis",
          "Zoë Zomer", "Hans Zuid"}
ACTIONS = {"Gebruiker geregistreerd", "Gebruikers geïmporteerd", "Geblokkeerd", "Gedeblokkeerd",
           "Rol gewijzigd", "Organisatieregistratie toegevoegd", "Organisatie ingericht",
           "Mobiel ID geïnstalleerd", "Inloggen gestart", "Ingelogd", "Inloggen geaccepteerd"}


def people(window):
    """The people the list shows by name (who acted and on whom)"""
    return {n.name for n in find_all(window, role="label") if n.name in PEOPLE}


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
    for first, last in (("Zoë", "de Vries"), ("Bram", "Beheer"), ("Carla", "Cornelis"),
                        ("Zoë", "Zomer")):
        users.append(json.loads(admin("--json", "user", "register", "--as", anna, "--organisation",
                                      "12345678", "--first-name", first, "--last-name", last,
                                      "--birth-date", "1990-05-05").stdout)["user"])
    admin("user", "register", "--as", str(other["user"]), "--organisation", "87654321",
          "--first-name", "Hans", "--last-name", "Zuid", "--birth-date", "1990-01-01")

    # more than two pages about Anna's organisation
    append_events(450, "12345678")

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
    first = status(window, "gebeurtenissen getoond; scroll voor meer")
    log("Logboek opens with:", first.name)
    status(window, "Logboek intact")
    shot("audit-view")
    # not the whole trail: a page (and the next, fetched ahead)
    seen = events("--as", anna)
    shown = int(first.name.split()[1])
    if shown >= len(seen) or shown % 200:
        fail("the list loaded %d of %d events at once, not pages of 200" % (shown, len(seen)))

    # Scrolling fetches the next pages until the whole trail is there
    rows = find(window, "Gebeurtenissen in het logboek")
    for _ in range(40):
        if find_all(window, contains="%d gebeurtenissen, nieuwste eerst" % len(seen)):
            break
        j.scroll(j.middle(rows), 25)
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(seen))
    for _ in range(20):
        if find_all(window, "Organisatieregistratie toegevoegd", "label"):
            break
        j.scroll(j.middle(rows), 25)
    if not find_all(window, "Organisatieregistratie toegevoegd", "label"):
        fail("the oldest event is not at the end of the list")
    find(window, "het systeem", "label")
    find(window, "Zorggroep Noord", "label")
    if find_all(window, "87654321", "label") or find_all(window, "Thuiszorg Zuid", "label") \
            or find_all(window, "Otto Zuid", "label") \
            or find_all(window, "user:%d" % other["user"], "label"):
        fail("Anna sees another organisation's events")
    shot("audit-view-scrolled-to-the-oldest")

    # Filter by user: only the events about Zoë
    zoe = users[0]
    type_into(find(window, "Filteren op gebruiker", "text"), str(zoe))
    pressKey("Return")
    about_zoe = events("--as", anna, "--user", str(zoe))
    status(window, "%d gebeurtenis, nieuwste eerst" % len(about_zoe))
    time.sleep(0.5)
    # the Betreft column: Zoë only (Anna is who acted)
    subjects = people(window)
    if "Zoë de Vries" not in subjects or subjects - {"Zoë de Vries", "Anna Admin"}:
        fail("filtered by user %d, the list shows %r" % (zoe, subjects))
    # readable: people by name, actions in words, not the trail's own notation
    find(window, "Gebruiker geregistreerd", "label")
    raw = [n.name for n in find_all(window, role="label")
           if n.name.startswith("user:") or n.name in ("user.register", "membership.set")]
    if raw:
        fail("the Logboek shows the trail's notation: %r" % raw[:5])
    shot("audit-filter-user")

    # By name: a start that finds one user filters at once, as typed
    # (case and accents ignored); the user is shown under the entry
    carla = events("--as", anna, "--user", "Carla Cornelis")
    if carla != events("--as", anna, "--user", str(users[2])):
        fail("audit list --user 'Carla Cornelis' is not --user %d" % users[2])
    type_into(find(window, "Filteren op gebruiker", "text"), "carla")
    find(window, contains="Carla Cornelis (nummer %d" % users[2])
    status(window, counted(len(carla)))
    shot("audit-filter-user-by-name")
    pressKey("Return")  # takes the one offered: the entry shows the whole name
    wait("the whole name in the entry",
         lambda: entry_text(find(window, "Filteren op gebruiker", "text")) == "Carla Cornelis")
    status(window, counted(len(carla)))

    # A name two users bear the start of: both offered, no filter yet; Enter
    # takes the first, and the list is that person's events
    type_into(find(window, "Filteren op gebruiker", "text"), "ZOE")
    find(window, contains="Zoë de Vries (nummer %d" % zoe)
    find(window, contains="Zoë Zomer (nummer %d" % users[3])
    status(window, "Kies de gebruiker uit de lijst")
    shot("audit-filter-user-two-offered")
    pressKey("Return")
    chosen = wait("a name chosen",
                  lambda: entry_text(find(window, "Filteren op gebruiker", "text")) in
                  ("Zoë de Vries", "Zoë Zomer") and
                  entry_text(find(window, "Filteren op gebruiker", "text")))
    about = events("--as", anna, "--user", chosen)
    status(window, counted(len(about)))
    time.sleep(0.5)
    subjects = people(window)
    if chosen not in subjects or subjects - {chosen, "Anna Admin"}:
        fail("chose %s, the list shows %r" % (chosen, subjects))
    shot("audit-filter-user-chosen")

    # No one of that name: the entry says so, the list is left as it was
    type_into(find(window, "Filteren op gebruiker", "text"), "Niemand")
    status(window, "Geen gebruiker heet “Niemand”")

    # Filter by action: Gebruikers (user.*), for every user again
    type_into(find(window, "Filteren op gebruiker", "text"), "")
    pressKey("BackSpace")
    pressKey("Return")
    status(window, "gebeurtenissen getoond; scroll voor meer")  # from the newest page again
    j.open_dropdown(find(window, "Filteren op actie", "combo box"))
    shot("audit-action-choices")
    pressKey("Down")  # from Alle acties to Gebruikers
    pressKey("Return")
    user_events = events("--as", anna, "--action", "user")
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(user_events))
    time.sleep(0.5)
    actions = {n.name for n in find_all(window, role="label") if n.name in ACTIONS}
    if not actions or not actions <= {"Gebruiker geregistreerd", "Gebruikers geïmporteerd",
                                      "Geblokkeerd", "Gedeblokkeerd"}:
        fail("filtered by action 'user', the list shows %r" % actions)
    shot("audit-filter-action")

    # A date range: up to a day long past holds nothing; from today on, the
    # same events again (dates as the window types them, DD-MM-JJJJ)
    type_into(find(window, "Tot en met datum", "text"), "01-01-2000")
    pressKey("Return")
    status(window, "Geen gebeurtenissen voor dit filter")
    shot("audit-filter-dates-empty")
    type_into(find(window, "Tot en met datum", "text"), "")
    pressKey("BackSpace")
    type_into(find(window, "Vanaf datum", "text"), datetime.date.today().strftime("%d-%m-%Y"))
    pressKey("Return")
    status(window, "%d gebeurtenissen, nieuwste eerst" % len(user_events))

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
