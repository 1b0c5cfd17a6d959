#!/usr/bin/python3
"""The users overview and the inactive users at 1024x768, by keyboard too.

Run by journey.sh (Xvfb at 1024x768, dbus-run-session, AT-SPI):

1. The overview: the filter row narrows it by status and mobile ID
   (combined with the search; one organisation hides its organisation
   filter); sorting
   by a column changes the order; Enter on a row opens the user's page.
2. The inactive users of an organisation where nobody is inactive show a
   status page, not a bare count; Ctrl+Q from that window quits.
3. 29 days later the inactive list has Karel; a double click opens his
   page in the main window, where he can be blocked.
4. Ctrl+Q quits from the Logboek and from Voorkeuren too.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import (click, fail, find, find_all, front, log, mobile, pressKey, keyCombo,  # noqa: E402
                     run, shot, start_app, stop_app)

URA = "12345678"
NOORD = "Zorggroep Noord"
PHONE_PIET = os.path.join(j.WORK, "phone-piet")


def admin(*args):
    return json.loads(run([j.ADMIN, "--data-dir", j.DATA, "--json"] + list(args)).stdout)


def rows(app):
    """The overview's rows, top to bottom, as (name, description)."""
    found = [n for n in find_all(app) if n.roleName != "push button" and n.description
             and "mobiel ID" in n.description]
    found.sort(key=lambda n: n.position[1])
    return [(n.name, n.description) for n in found]


def names(app):
    return [name for name, _ in rows(app)]


def expect_names(app, what, wanted):
    log(what, j.wait(what, lambda: names(app) if names(app) == wanted else None, timeout=5))


def choose(app, combo_name, downs):
    """Opens the drop-down @combo_name and moves @downs items down from
    its first item (negative: up)."""
    combo = find(app, combo_name, "combo box")
    j.open_dropdown(combo)
    for _ in range(8):
        pressKey("Up")
    for _ in range(downs):
        pressKey("Down")
    pressKey("Return")
    time.sleep(0.6)


def quits_with_ctrl_q(window):
    keyCombo("<Control>q")
    j.wait("the application to quit", lambda: j.app_proc.poll() is not None, timeout=10)
    log("Ctrl+Q in %s quit the application" % window)
    j.app_proc = None


def main():
    port = j.free_port()
    with open(j.PIN, "w") as f:
        f.write("4711\n")
    run([j.ADMIN, "--data-dir", j.DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([j.ADMIN, "--data-dir", j.DATA, "registration", "add", "--ura", URA, "--name", NOORD])
    boot = admin("organisation", "bootstrap", "--ura", URA, "--first-name", "Anna",
                 "--last-name", "Admin", "--birth-date", "1980-01-01")
    anna = str(boot["user"])
    admin("user", "register", "--as", anna, "--organisation", URA, "--first-name", "Bert",
          "--last-name", "Beheer-Vandermeulen", "--birth-date", "1966-06-06")
    piet = admin("user", "register", "--as", anna, "--organisation", URA, "--first-name", "Piet",
                 "--last-name", "Wachter", "--birth-date", "1975-04-04")
    admin("user", "register", "--as", anna, "--organisation", URA, "--first-name", "Karel",
          "--last-name", "Aalbers", "--birth-date", "1990-02-02")

    app = start_app()
    mobile(j.PHONE_ANNA, "enrol", boot["enrolment_payload"])
    mobile(PHONE_PIET, "enrol", piet["enrolment_payload"])
    admin("user", "block", "--as", anna, str(piet["user"]), "--reason", "lost-smartphone")
    j.login(app, j.PHONE_ANNA, "anna")
    find(app, "Beheer Piet Wachter", "push button")
    everyone = ["Anna Admin", "Bert Beheer-Vandermeulen", "Karel Aalbers", "Piet Wachter"]
    j.wait("the four users", lambda: sorted(names(app)) == sorted(everyone))
    shot("overview-1024")
    for name, description in rows(app):
        log("row", name, "|", description)

    # 1a. Sort: by name, then by birth date, then reversed
    if names(app) != sorted(everyone, key=lambda n: n.split()[-1]):
        log("by name", names(app))
    by_name = names(app)
    choose(app, "Sorteren op", 1)
    by_birth = j.wait("sorted by birth date", lambda: names(app) if names(app) != by_name else None)
    if by_birth != ["Bert Beheer-Vandermeulen", "Piet Wachter", "Anna Admin", "Karel Aalbers"]:
        fail("not in birth date order: %r" % by_birth)
    shot("sorted-by-birth-date")
    click(find(app, "Omgekeerde volgorde"))
    j.wait("reversed", lambda: names(app) == list(reversed(by_birth)))
    shot("sorted-by-birth-date-reversed")
    click(find(app, "Omgekeerde volgorde"))
    choose(app, "Sorteren op", 0)
    j.wait("by name again", lambda: names(app) == by_name)

    # 1b. Filters, each alone and combined with the search
    choose(app, "Status", 2)  # Geblokkeerd
    j.wait("only blocked", lambda: names(app) == ["Piet Wachter"])
    shot("filter-blocked")
    choose(app, "Status", 1)  # Actief
    j.wait("only active", lambda: "Piet Wachter" not in names(app) and len(names(app)) == 3)
    choose(app, "Status", 0)
    choose(app, "Mobiel ID", 2)  # Niet geactiveerd
    j.wait("only not enrolled", lambda: sorted(names(app)) == ["Bert Beheer-Vandermeulen", "Karel Aalbers"])
    shot("filter-not-enrolled")
    choose(app, "Mobiel ID", 1)  # actief
    j.wait("only enrolled", lambda: sorted(names(app)) == ["Anna Admin", "Piet Wachter"])
    choose(app, "Mobiel ID", 0)
    # a filter and the search together
    choose(app, "Status", 1)  # Actief
    j.type_into(find(app, "Zoeken", "entry"), "kar")
    j.wait("active and kar", lambda: names(app) == ["Karel Aalbers"])
    shot("filter-and-search")
    j.type_into(find(app, "Zoeken", "entry"), "piet")
    find(app, "Geen gebruikers gevonden", "label")
    shot("filter-and-search-nobody")
    click(find(app, "Iedereen tonen", "push button"))
    j.wait("everyone again", lambda: sorted(names(app)) == sorted(everyone))

    # 1c. Nothing cut at 1024x768: the widest texts of the fixed columns
    # have room (the row's tooltip names what is cut; no fixed column is)
    shot("overview-everyone-1024")

    # 1d. Enter on a row opens the user's page
    keyCombo("<Control>f")
    pressKey("Tab")
    time.sleep(0.3)
    # Tab from the search goes to the next control, then on to the list
    for _ in range(12):
        focused = [n for n in find_all(app) if n.focused]
        log("focus", [(n.roleName, n.name) for n in focused])
        if any(n.roleName == "list item" or (n.description and "mobiel ID" in n.description)
               for n in focused):
            break
        if any(n.name and n.name.startswith("Beheer ") for n in focused):
            fail("Tab stopped at a row's Beheer button")
        pressKey("Tab")
        time.sleep(0.2)
    pressKey("Return")
    find(app, "Terug", "push button")
    shot("enter-opened-user")
    click(find(app, "Terug", "push button"))

    # 2. Nobody inactive yet (Bert and Karel were registered today): the
    # status page, not a bare count
    click(find(app, "Organisaties"))
    click(find(app, "Inactieve gebruikers van " + NOORD, "push button"))
    find(app, "Geen inactieve gebruikers", "label")
    shot("inactive-empty")
    quits_with_ctrl_q("the inactive users")

    # 3. 29 days later Piet (blocked) and Karel are inactive
    app = start_app({"ZID_TEST_CLOCK_OFFSET": str(29 * 24 * 3600)})
    j.login(app, j.PHONE_ANNA, "anna-29-days-later")
    click(find(app, "Organisaties"))
    click(find(app, "Inactieve gebruikers van " + NOORD, "push button"))
    find(front(app), "Karel Aalbers")
    shot("inactive-29-days-later")
    j.type_into(find(front(app), "Zoeken", "entry"), "bert")
    j.wait("only Bert", lambda: not find_all(front(app), "Karel Aalbers") and find_all(front(app), "Bert Beheer-Vandermeulen"))
    j.type_into(find(front(app), "Zoeken", "entry"), "kar")
    cell = find(front(app), "Karel Aalbers", "label")
    shot("inactive-search")
    j.double_click(cell) if hasattr(j, "double_click") else cell.doubleClick()
    j.wait("Karel's page", lambda: find_all(app, "Terug", "push button"))
    find(app, "Karel Aalbers", "label")
    shot("inactive-opened-karel")

    # 4. Ctrl+Q quits from the Logboek and from Voorkeuren too
    click(find(app, "Hoofdmenu", "push button"))
    click(find(app, "Logboek", timeout=10))
    j.wait("the Logboek window", lambda: [w for w in app.children if w.name == "Logboek"])
    quits_with_ctrl_q("the Logboek")
    app = start_app()
    find(app, "QR-code", "push button")
    keyCombo("<Control>comma")
    j.wait("Voorkeuren", lambda: [w for w in app.children if w.name == "Voorkeuren"])
    shot("preferences")
    quits_with_ctrl_q("Voorkeuren")
    print("ok - the overview sorts, filters and opens by keyboard; the inactive list searches, "
          "opens a user and shows a status page when empty", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
