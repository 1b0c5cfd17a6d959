#!/usr/bin/python3
"""The window stays current by itself, at 1024x768.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, AT-SPI). Nothing in
this journey presses a key or clicks to refresh:

1. Piet is registered by `zorgid-admin` before the window opens: his row
   says "Niet geactiveerd". His phone (zorgid-mobile) enrols against the
   window's service: the row says "Actief" within a second.
2. Three users registered by `zorgid-admin` in another process appear in
   the open list, and the count goes from 2 to 5, within a second.
3. Piet's page is open; `zorgid-admin user block` in another process: the
   page shows him blocked within a second.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, log, mobile, run, shot,  # noqa: E402
                     start_app, stop_app)

PHONE_PIET = os.path.join(j.WORK, "phone-piet")
URA = "12345678"
# What "within a second" allows for reading the window over AT-SPI
LIMIT = 1.0


def admin(*args):
    return json.loads(run([j.ADMIN, "--data-dir", j.DATA, "--json"] + list(args)).stdout)


def row(app, person):
    """The users overview's row of @person (its name; the other columns
    are its description)."""
    rows = [n for n in find_all(app, person) if n.roleName != "push button" and n.description]
    return rows[0] if rows else None


def within_a_second(what, predicate):
    """Seconds until @predicate holds, polled without any input; fails
    after 5 s, and when it took longer than LIMIT. The predicates read
    nodes found beforehand (one AT-SPI call): a walk of the whole tree
    takes about a second here by itself."""
    start = time.monotonic()
    while time.monotonic() - start < 5:
        try:
            if predicate():
                took = time.monotonic() - start
                log("%s after %.3f s" % (what, took))
                if took > LIMIT:
                    fail("%s only after %.3f s" % (what, took))
                return took
        except Exception:  # the tree changes under us
            pass
        time.sleep(0.02)
    fail("%s: not within 5 s" % what)


def count_label(app):
    return find(app, contains="gebruikers", role="label")


def says_blocked(status_list):
    """Whether the user page's Status list has its Geblokkeerd row (the
    list stays, its rows are made anew)."""
    return any(n.name == "Geblokkeerd" for n in find_all(status_list, role="label"))


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    run([j.ADMIN, "--data-dir", j.DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([j.ADMIN, "--data-dir", j.DATA, "registration", "add", "--ura", URA, "--name", "Zorggroep Noord"])
    boot = admin("organisation", "bootstrap", "--ura", URA, "--first-name", "Anna",
                 "--last-name", "Admin", "--birth-date", "1980-01-01")
    anna = str(boot["user"])
    piet = admin("user", "register", "--as", anna, "--organisation", URA, "--first-name", "Piet",
                 "--last-name", "Wachter", "--birth-date", "1975-04-04")

    app = start_app()
    mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    j.login(app, j.PHONE_ANNA, "anna")

    # 1. Piet's phone enrols while the list is open
    find(app, "Beheer Piet Wachter", "push button")
    piet_row = j.wait("Piet's row", lambda: row(app, "Piet Wachter"))
    if "Niet geactiveerd" not in piet_row.description:
        fail("Piet's row does not say Niet geactiveerd: %r" % piet_row.description)
    count = count_label(app)
    if count.name != "2 gebruikers":
        fail("the count is %r, not 2 gebruikers" % count.name)
    shot("piet-not-enrolled")
    mobile(PHONE_PIET, "enrol", piet["enrolment_payload"])
    # the row keeps its widget: its user changes in place
    within_a_second("Piet's row says Actief", lambda: "mobiel ID: Actief" in piet_row.description)
    shot("piet-enrolled-actief")

    # 2. Users registered by another process appear, the count with them
    people = [("Karel", "Aalbers"), ("Lotte", "Zwart"), ("Mees", "Maas")]
    for first, last in people:
        admin("user", "register", "--as", anna, "--organisation", URA, "--first-name", first,
              "--last-name", last, "--birth-date", "1990-02-02")
    within_a_second("the count says 5 gebruikers", lambda: count.name == "5 gebruikers")
    for first, last in people:
        find(app, "Beheer %s %s" % (first, last), "push button", timeout=1)
    shot("registered-elsewhere-appear")

    # 3. Piet's page follows a block by another process
    j.open_manage(app, "Piet Wachter")
    status = find(app, "Status", "list")
    find(status, "Actief", "label")
    if says_blocked(status):
        fail("Piet's page says Geblokkeerd before he is")
    shot("piet-page-active")
    admin("user", "block", "--as", anna, str(piet["user"]), "--reason", "lost-smartphone")
    within_a_second("Piet's page says Geblokkeerd", lambda: says_blocked(status))
    shot("piet-page-blocked-elsewhere")
    click(find(app, "Terug", "push button"))
    piet_row = j.wait("Piet's row", lambda: row(app, "Piet Wachter"))
    if "; Geblokkeerd;" not in piet_row.description:
        fail("Piet's row does not say Geblokkeerd: %r" % piet_row.description)
    shot("overview-piet-blocked")

    stop_app()
    print("ok - the window follows changes by the phone and by another process within a second",
          flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
