#!/usr/bin/python3
"""The administrator's journeys through the real zorgid-portaal window.

Run by journey.sh inside Xvfb + dbus-run-session. Every step saves a
screenshot into $ZID_SCREENSHOTS. The QR codes on screen are decoded with
zbarimg and redeemed with zorgid-mobile, the path a phone takes.
"""
import json
import os
import socket
import subprocess
import sys
import time

from dogtail.config import config

config.checkForA11y = False
config.actionDelay = 0.2
config.typingDelay = 0.02
config.defaultDelay = 0.3
config.searchCutoffCount = 2
config.logDebugToFile = False

from dogtail import tree  # noqa: E402
from dogtail import rawinput  # noqa: E402
from dogtail.rawinput import keyCombo, pressKey  # noqa: E402

BUILD = os.environ["ZID_BUILD_ROOT"]
WORK = os.environ["ZID_GUI_WORK"]
SHOTS = os.environ["ZID_SCREENSHOTS"]
PORTAAL = os.path.join(BUILD, "src/ui/zorgid-portaal")
ADMIN = os.path.join(BUILD, "src/cli/zorgid-admin")
MOBILE = os.path.join(BUILD, "src/mobile/zorgid-mobile")
DATA = os.path.join(WORK, "portal")
PIN = os.path.join(WORK, "pin")
PHONE_ANNA = os.path.join(WORK, "phone-anna")
PHONE_BRAM = os.path.join(WORK, "phone-bram")
PHONE_DIRK = os.path.join(WORK, "phone-dirk")

SEARCH_PEOPLE = [
    ("Marieke", "de Boer", "1985-03-04"),
    ("Jan", "van den Berg", "1970-12-01"),
    ("Sanne", "de Vries", "1985-03-05"),
    ("Zoë", "Bergsma", "2001-07-08"),
]
# What the window and zorgid-admin find for a query
SEARCHES = [
    ("boer", ["Marieke de Boer"]),
    ("berg", ["Jan van den Berg", "Zoë Bergsma"]),
    ("vries", ["Sanne de Vries"]),
    ("zoe", ["Zoë Bergsma"]),
    ("04-03-1985", ["Marieke de Boer"]),
    ("1970-12-01", ["Jan van den Berg"]),
]

step_no = 0
app_proc = None


def log(*args):
    print("#", *args, flush=True)


def shot(name):
    global step_no
    step_no += 1
    path = os.path.join(SHOTS, "%02d-%s.png" % (step_no, name))
    time.sleep(0.4)
    subprocess.run(["import", "-window", "root", path], check=True)
    log("screenshot", path)
    return path


def dump_tree(out, node, depth=0):
    try:
        out.write("%s%s | %r | visible=%s\n" % ("  " * depth, node.roleName, node.name, node.visible))
        for child in node.children:
            dump_tree(out, child, depth + 1)
    except Exception as e:
        out.write("%s(gone: %s)\n" % ("  " * depth, e))


def fail(message):
    shot("FAILED")
    try:
        with open(os.path.join(SHOTS, "FAILED-tree.txt"), "w") as out:
            dump_tree(out, tree.root.application("zorgid-portaal"))
    except Exception:
        pass
    print("not ok -", message, flush=True)
    sys.exit(1)


def sh(*cmd):
    """Runs a fixture script; its output, or the journey fails."""
    p = subprocess.run(list(cmd), capture_output=True, text=True)
    if p.returncode != 0:
        log(" ".join(cmd), "->", p.returncode, p.stdout[-500:], p.stderr[-500:])
        fail("%s failed" % cmd[0])
    return p.stdout


def admin(*args):
    """zorgid-admin on the journey's data dir."""
    return run([ADMIN, "--data-dir", DATA] + list(args))


def sign_registration(opki, registration):
    """The operator (its PKI in OPKI) signs REGISTRATION (the fields of a
    registration file); returns the signed file's path in the work dir."""
    plain = os.path.join(WORK, "registration.json")
    with open(plain, "w") as f:
        json.dump(dict({"version": 1}, **registration), f)
    signed = os.path.join(WORK, "registration.p7m")
    admin("registration", "sign", "--in", plain, "--key", os.path.join(opki, "operator.key"),
          "--cert", os.path.join(opki, "operator.pem"), "--chain", os.path.join(opki, "chain.pem"),
          "--out", signed)
    return signed


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, text=True)
    log(" ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd)),
        "->", p.returncode, p.stdout.strip()[-300:], p.stderr.strip()[-300:])
    if p.returncode not in ok:
        fail("%s exited %d" % (cmd[0], p.returncode))
    return p


def mobile(phone, *args, ok=(0,)):
    return run([MOBILE, "--data-dir", phone, "--pin-file", PIN] + list(args), ok=ok)


def wait(what, predicate, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            result = predicate()
            if result:
                return result
        except Exception:  # the tree changes under us
            pass
        time.sleep(0.3)
    fail("timed out waiting for " + what)


def find_all(root, name=None, role=None, contains=None):
    """Visible matches. GTK 4.8 reports the widgets of hidden stack pages as
    visible too (and no "showing"): give controls unique names."""
    def pred(node):
        try:
            if role is not None and node.roleName != role:
                return False
            # GTK 4.8 repeats a mnemonic button's label in its name ("Opslaan Opslaan")
            if name is not None and node.name != name and \
                    node.name.replace("_", "") != "%s %s" % (name, name):
                return False
            if contains is not None and contains not in (node.name or ""):
                return False
            return node.visible
        except Exception:
            return False
    return root.findChildren(pred)


def find(root, name=None, role=None, contains=None, timeout=20):
    return wait("%r (%s)" % (name or contains, role),
                lambda: (find_all(root, name, role, contains) or [None])[0], timeout)


def absent(root, name=None, role=None, contains=None, timeout=3):
    time.sleep(timeout)
    return not find_all(root, name, role, contains)


def front(app):
    """The newest window of the app: a dialog or QR window if one is open."""
    windows = [w for w in app.children if w.roleName in ("frame", "dialog", "window")]
    return windows[-1] if windows else app


def click(node):
    try:
        node.doActionNamed("click")
    except Exception:
        node.click()
    time.sleep(0.4)


def scroll(at, steps):
    """Turns the mouse wheel at the screen point @at, down (steps > 0) or
    up: GTK 4.8 cannot scroll to a widget over AT-SPI."""
    for _ in range(abs(steps)):
        rawinput.click(at[0], at[1], button=5 if steps > 0 else 4)
    time.sleep(0.5)


def middle(node):
    (x, y), (w, h) = node.position, node.size
    return (x + w // 2, y + h // 2)


def open_dropdown(combo):
    toggle = [c for c in combo.findChildren(lambda n: n.roleName == "push button")][0]
    toggle.doActionNamed("click")
    time.sleep(0.8)


YELP_BIN = os.path.join(WORK, "bin")
YELP_RECORD = os.path.join(WORK, "yelp-called")


def stand_in_yelp():
    """A `yelp` in YELP_BIN (for PATH) registered as the handler of help:
    URIs; it records what it is asked to open (help_calls())."""
    os.makedirs(YELP_BIN, exist_ok=True)
    yelp = os.path.join(YELP_BIN, "yelp")
    with open(yelp, "w") as f:
        f.write('#!/bin/sh\necho "$@" >> "%s"\n' % YELP_RECORD)
    os.chmod(yelp, 0o755)
    apps = os.path.join(os.environ["XDG_DATA_HOME"], "applications")
    os.makedirs(apps, exist_ok=True)
    with open(os.path.join(apps, "yelp.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Help\nExec=%s %%u\n"
                "MimeType=x-scheme-handler/help;\n" % yelp)
    with open(os.path.join(os.environ["XDG_CONFIG_HOME"], "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/help=yelp.desktop\n")


def help_calls():
    """What the stand-in yelp was asked to open, in order."""
    try:
        with open(YELP_RECORD) as f:
            return f.read().split()
    except OSError:
        return []


def block_with_reason(app, shot_name=None):
    """In the open block dialog: no reason is chosen beforehand ("(Geen)")
    and Blokkeren waits for one; a reason chosen from the list, then
    Blokkeren."""
    dialog = front(app)
    button = find(dialog, "Blokkeren", "push button")
    if button.sensitive:
        fail("Blokkeren can be pressed before a reason is chosen")
    find(dialog, "(Geen)", "label")
    if shot_name:
        shot(shot_name)
    open_dropdown(find(dialog, "Reden", "combo box"))
    for _ in range(8):
        pressKey("Up")
    pressKey("Down")
    pressKey("Return")
    wait("Blokkeren to be possible once a reason is chosen", lambda: button.sensitive, 10)
    wait("the reason chosen shown", lambda: find_all(dialog, "Verlies van smartphone", "label") or
         find_all(dialog, "Beveiligingsincident", "label"), 10)
    click(button)


def type_into(entry, text):
    entry.click()
    time.sleep(0.2)
    keyCombo("<Control>a")
    entry.typeText(text)


def start_app(extra_env=None, extra_args=()):
    global app_proc
    env = dict(os.environ)
    env.update(extra_env or {})
    app_proc = subprocess.Popen([PORTAAL, "--data-dir", DATA, "--environment", "acceptatie"] +
                                list(extra_args),
                                env=env, stdout=open(os.path.join(WORK, "app.log"), "a"),
                                stderr=subprocess.STDOUT)
    app = wait("the application on the accessibility bus",
               lambda: tree.root.application("zorgid-portaal"), 30)
    find(app, "Uitloggen", "push button", timeout=1) if False else None
    return app


def stop_app():
    global app_proc
    if app_proc is not None:
        # G_DEBUG=fatal-criticals (meson.build): a GLib-CRITICAL ended it
        rc = app_proc.poll()
        if rc is not None:
            app_proc = None
            fail("the application ended by itself (%d); see app.log" % rc)
        app_proc.terminate()
        try:
            app_proc.wait(10)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        app_proc = None
        time.sleep(1)


def scan(name):
    """Screenshot, decode the QR on screen; returns (png, payload)."""
    png = shot(name)
    p = subprocess.run(["zbarimg", "-q", "--raw", "--nodbus", png], capture_output=True, text=True)
    payloads = [l for l in p.stdout.splitlines() if l.startswith("zorgid://")]
    if not payloads:
        fail("no QR code on screen in " + png)
    return png, payloads[-1]


def zbar(png):
    p = subprocess.run(["zbarimg", "-q", "--raw", "--nodbus", png], capture_output=True, text=True)
    return p.stdout.strip()


def admin_json(*args):
    """zorgid-admin --json on the journey's data dir: its answer."""
    return json.loads(run([ADMIN, "--data-dir", DATA, "--json"] + list(args)).stdout)


def new_organisation(ura, name):
    """The service on a free port, organisation @ura registered as @name,
    its first Administrator Anna bootstrapped (PIN 4711): her bootstrap."""
    port = free_port()
    with open(PIN, "w") as f:
        f.write("4711\n")
    run([ADMIN, "--data-dir", DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([ADMIN, "--data-dir", DATA, "registration", "add", "--ura", ura, "--name", name])
    return admin_json("organisation", "bootstrap", "--ura", ura, "--first-name", "Anna",
                      "--last-name", "Admin", "--birth-date", "1980-01-01")


def pdf_pages(pdf):
    out = run(["pdfinfo", pdf]).stdout
    return int([l.split()[-1] for l in out.splitlines() if l.startswith("Pages:")][0])


def pdf_page_text(pdf, page):
    return run(["pdftotext", "-f", str(page), "-l", str(page), pdf, "-"]).stdout


def pdf_page_qr(pdf, page, name="page"):
    """The QR of @page of @pdf as a phone sees the printed page: the page
    rendered at 150 dpi (@name.png), decoded with zbarimg. Returns (png,
    payload)."""
    prefix = os.path.join(WORK, name)
    run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf, prefix])
    payload = zbar(prefix + ".png")
    if not payload.startswith("zorgid://"):
        fail("page %d of %s holds no enrolment QR: %r" % (page, pdf, payload))
    return prefix + ".png", payload


def save_via_chooser(app, button, path, wait_file=True):
    """Clicks @button, which opens GTK's file chooser, and saves to (or
    opens) @path."""
    # GTK 4.8's file chooser dialog is a top-level of role "filler"
    before = len(app.children)
    click(find(front(app), button, "push button"))
    fill_chooser(app, before, path)
    if wait_file:
        wait("the file " + path, lambda: os.path.exists(path) and os.path.getsize(path) > 0)


def fill_chooser(app, before, path):
    """Types @path into the file chooser that opened as the application's
    top-level after its first @before ones, and accepts it."""
    wait("the file chooser", lambda: len(app.children) > before)
    chooser = app.children[-1]
    time.sleep(0.5)
    names = find_all(chooser, "Naam:", "text")
    if names:
        names[0].click()
        time.sleep(0.2)
        keyCombo("<Control>a")
    else:
        keyCombo("<Control>l")  # open: the location entry
        time.sleep(0.5)
    shot("file-chooser")
    typed = names[0] if names else find(chooser, role="text")
    typed.typeText(path)
    time.sleep(0.3)
    pressKey("Return")


def login(app, phone, who):
    wait("the login QR", lambda: find_all(app, "QR-code", "push button"))
    time.sleep(0.5)
    png, payload = scan("login-qr-" + who)
    if "login" not in payload:
        fail("the QR on screen is not a login QR: " + payload)
    mobile(phone, "login", "--qr-image", png)
    find(app, "Uitloggen", "push button")
    find(app, contains="Ingelogd als")
    shot("overview-" + who)


def start_as_anna(boot, extra_env=None):
    """The window, Anna's phone enrolled with her bootstrap code and logged
    in: the application."""
    app = start_app(extra_env)
    find(app, "QR-code", "push button")
    mobile(PHONE_ANNA, "enrol", boot["enrolment_payload"])
    login(app, PHONE_ANNA, "anna")
    return app


def open_import(app, path):
    """Gebruikers importeren with the spreadsheet @path chosen: the dialog."""
    click(find(app, "Gebruikers importeren", "push button"))
    dialog = wait("the import dialog", lambda: [w for w in app.children if w.name == "Gebruikers importeren"])[0]
    save_via_chooser(app, "Bestand kiezen", path, wait_file=False)
    return dialog


def register(app, first_name, last_name, birth_date):
    """Gebruiker registreren in the window: the QR window waits for the scan."""
    click(find(app, "Gebruiker registreren", "push button"))
    type_into(find(app, "Voornaam", "text"), first_name)
    type_into(find(app, "Achternaam", "text"), last_name)
    type_into(find(app, "Geboortedatum", "text"), birth_date)
    click(find(front(app), "Opslaan", "push button"))
    find(app, "Wachten op scan…", "label")


def logout(app):
    click(find(app, "Uitloggen", "push button"))
    wait("the landing page", lambda: not find_all(app, "Uitloggen", "push button"))


def window_size_1024x768():
    """The window as an administrator at 1024x768 has it: the GSettings
    keyfile holds its size (the memory backend forgets). The environment
    to start the application with."""
    path = os.path.join(os.environ["XDG_CONFIG_HOME"], "glib-2.0", "settings")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "keyfile"), "w") as f:
        f.write("[nl/zorgid/Portaal]\nwindow-width=1024\nwindow-height=768\n")
    return {"GSETTINGS_BACKEND": "keyfile"}


def processes():
    """The running zorgid-portaal processes."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.readlink("/proc/%s/exe" % pid) == os.path.realpath(PORTAAL):
                found.append(int(pid))
        except OSError:
            pass
    return found


def frames(app):
    return [w for w in app.children if w.roleName == "frame"]


def frame(app, title):
    return wait("the window " + title,
                lambda: ([f for f in frames(app) if f.name == title] or [None])[-1])


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
        return True
    except OSError:
        return False


def open_manage(app, person):
    click(find(app, "Beheer " + person, "push button"))
    find(app, person, "label")


def heading_in_view(app, person):
    """Whether a label @person (a name, a group's title) lies between the
    header bar and the bottom of the window (scrolled out, it lies above)."""
    frame = front(app)
    back = find(app, "Terug", "push button")
    top = back.position[1] + back.size[1]
    bottom = frame.position[1] + frame.size[1]
    for label in find_all(app, person, "label"):
        (x, y), (w, h) = label.position, label.size
        log("label", person, "at y", y, "height", h, "; the page lies between y", top, "and", bottom)
        if label.visible and h > 0 and y >= top and y + h <= bottom:
            return True
    return False


def main():
    port = free_port()
    with open(PIN, "w") as f:
        f.write("4711\n")

    # A fresh acceptatie data dir, bootstrapped as the operator would
    run([ADMIN, "--data-dir", DATA, "config", "set", "service-address", "127.0.0.1:%d" % port])
    run([ADMIN, "--data-dir", DATA, "registration", "add", "--ura", "12345678", "--name", "Zorggroep Noord"])
    boot = json.loads(run([ADMIN, "--data-dir", DATA, "--json", "organisation", "bootstrap",
                           "--ura", "12345678", "--first-name", "Anna", "--last-name", "Admin",
                           "--birth-date", "1980-01-01"]).stdout)

    # People the search must find by a surname after a tussenvoegsel, an
    # accent-free name and a birth date
    for first, last, birth in SEARCH_PEOPLE:
        run([ADMIN, "--data-dir", DATA, "user", "register", "--as", str(boot["user"]),
             "--organisation", "12345678", "--first-name", first, "--last-name", last,
             "--birth-date", birth])
    for typed, names in SEARCHES:
        found = json.loads(run([ADMIN, "--data-dir", DATA, "--json", "user", "list",
                                "--as", str(boot["user"]), "--search", typed]).stdout)["users"]
        found = sorted("%s %s" % (u["first_name"], u["last_name"]) for u in found)
        if found != sorted(names):
            fail("zorgid-admin user list --search %r finds %r, not %r" % (typed, found, names))

    app = start_app()
    find(app, "QR-code", "push button")
    find(app, "Omgeving: ACCEPTATIE")
    shot("landing")

    # Anna's phone redeems the bootstrap code against the window's service
    mobile(PHONE_ANNA, "enrol", boot["enrolment_payload"])

    # 1. Log in by scanning the screen
    login(app, PHONE_ANNA, "anna")

    # 2. Register Bram; a future birth date is refused inline
    click(find(app, "Gebruiker registreren", "push button"))
    dialog = find(app, "Gebruiker registreren", "dialog") if find_all(app, "Gebruiker registreren", "dialog") else app
    type_into(find(app, "Voornaam", "text"), "Bram")
    type_into(find(app, "Achternaam", "text"), "Beheer")
    type_into(find(app, "Geboortedatum", "text"), "2999-01-01")
    click(find(front(app), "Opslaan", "push button"))
    find(app, contains="toekomst")
    shot("register-future-birth-date")
    type_into(find(app, "Geboortedatum", "text"), "1990-05-05")
    click(find(front(app), "Opslaan", "push button"))
    find(app, "Wachten op scan…", "label")
    png, payload = scan("enrolment-qr-bram")
    mobile(PHONE_BRAM, "enrol", "--qr-image", png)
    find(app, "ID toegevoegd", "label")
    shot("enrolment-id-added")
    click(find(front(app), "Sluiten", "push button"))
    find(app, "Beheer Bram Beheer", "push button")
    shot("overview-with-bram")

    # The search: a name that matches nobody says so, a prefix narrows the
    # list, and emptying the field shows everyone again
    find(app, "Beheer Anna Admin", "push button")
    search = find(app, "Zoeken", "entry")
    type_into(search, "xyzzy")
    find(app, "Geen gebruikers gevonden", "label")
    if not absent(app, "Beheer Bram Beheer", "push button"):
        fail("users are still offered while the search matches nobody")
    shot("search-no-match")
    type_into(search, "bra")
    find(app, "Beheer Bram Beheer", "push button")
    if not absent(app, "Beheer Anna Admin", "push button"):
        fail("the search for \"bra\" still shows Anna")
    shot("search-bra")
    # The same people as zorgid-admin finds above
    everyone = [p[0] + " " + p[1] for p in SEARCH_PEOPLE] + ["Anna Admin", "Bram Beheer"]
    for typed, names in SEARCHES:
        type_into(search, typed)
        for name in names:
            find(app, "Beheer " + name, "push button")
        time.sleep(0.5)
        for name in everyone:
            if name not in names and not absent(app, "Beheer " + name, "push button", timeout=0):
                fail("the search for %r shows %s" % (typed, name))
        shot("search-" + typed)
    search.click()
    keyCombo("<Control>a")
    pressKey("BackSpace")
    find(app, "Beheer Anna Admin", "push button")
    find(app, "Beheer Bram Beheer", "push button")

    # 2b. Anna is the only Administrator: her own page says so where
    # Blokkeren would be (§8.2), before any click, and offers no Blokkeren
    open_manage(app, "Anna Admin")
    find(app, contains="kan daarom niet geblokkeerd worden", role="label")
    page = middle(find(app, "Persoonsgegevens", "list"))
    find(app, "Anna Admin — Acceptatie", "frame")  # the window says whose page this is, and where
    scroll(page, 12)  # the status is below the fold
    shot("own-page-only-administrator")
    if find_all(app, "Blokkeren", "push button"):
        fail("the only Administrator is offered Blokkeren on her own page")
    # The name stays in view above the page; its facts scroll
    if heading_in_view(app, "Persoonsgegevens"):
        fail("Anna's page did not scroll down")
    click(find(app, "Terug", "push button"))
    find(app, "ZORG-ID Portaal — Acceptatie", "frame")

    # 3. Give Bram the Beheerder role; his page opens at its top, though
    # Anna's was left scrolled down, and the window is titled with his name
    open_manage(app, "Bram Beheer")
    find(app, "Bram Beheer — Acceptatie", "frame")
    wait("Bram's page at its top", lambda: heading_in_view(app, "Persoonsgegevens"), timeout=5)
    shot("beheer-bram")
    click(find(app, "Organisatie registreren", "push button"))
    open_dropdown(find(front(app), "Autorisatie", "combo box"))
    find(app, "Beheerder", timeout=10)
    shot("role-choices-administrator")
    if not find_all(app, "Administrator", "label"):
        fail("an Administrator is not offered the Administrator role")
    pressKey("Down")
    pressKey("Return")
    time.sleep(0.5)
    click(find(front(app), "Opslaan", "push button"))
    find(app, contains="Rol: Beheerder")
    shot("bram-is-beheerder")
    click(find(app, "Terug", "push button"))
    logout(app)

    # 4. Bram logs in and registers Carla: only Gebruiker can be given
    login(app, PHONE_BRAM, "bram")
    register(app, "Carla", "Zorg", "1995-02-03")
    shot("enrolment-qr-carla")
    click(find(front(app), "Sluiten", "push button"))
    # closing an unscanned code asks first: it cannot be shown again
    find(app, contains="slechts eenmaal")
    shot("close-confirmation")
    click(find(front(app), "Sluiten", "push button"))
    open_manage(app, "Carla Zorg")
    click(find(app, "Organisatie registreren", "push button"))
    open_dropdown(find(front(app), "Autorisatie", "combo box"))
    time.sleep(1)
    shot("role-choices-beheerder")
    if find_all(front(app), "Beheerder", "label") or find_all(front(app), "Administrator", "label"):
        fail("a Beheerder is offered more than Gebruiker")
    pressKey("Escape")
    time.sleep(0.3)
    click(find(front(app), "Annuleren", "push button"))
    click(find(app, "Terug", "push button"))
    # A Beheerder on an Administrator's page: no role change, and why
    open_manage(app, "Anna Admin")
    find(app, contains="mag de rol van een Administrator niet wijzigen", role="label")
    shot("beheerder-on-administrator-page")
    if find(app, "Organisatie registreren", "push button").sensitive:
        fail("a Beheerder is offered a role change of an Administrator")
    click(find(app, "Terug", "push button"))
    logout(app)

    # 5. Anna: attribute, block (Bram's login refused), unblock
    login(app, PHONE_ANNA, "anna-again")
    open_manage(app, "Bram Beheer")
    click(find(app, "Attribuut registreren", "push button"))
    type_into(find(app, "Taakcode", "text"), "T-100")
    click(find(front(app), "Opslaan", "push button"))
    find(app, contains="Taakcode T-100")
    shot("attribute-added")

    click(find(app, "Blokkeren", "push button"))
    find(app, "Reden")
    block_with_reason(app, shot_name="block-reasons")
    find(app, "Geblokkeerd")
    shot("bram-blocked")
    click(find(app, "Terug", "push button"))
    logout(app)
    png, payload = scan("login-qr-bram-blocked")
    p = mobile(PHONE_BRAM, "login", "--qr-image", png, ok=(1,))
    if "blok" not in (p.stdout + p.stderr).lower() and "block" not in (p.stdout + p.stderr).lower():
        fail("the phone was not told it is blocked")
    find(app, contains="geblokkeerd")
    shot("landing-bram-refused-blocked")
    mobile(PHONE_ANNA, "login", "--qr-image", png)
    find(app, "Uitloggen", "push button")

    open_manage(app, "Bram Beheer")
    click(find(app, "Activeren", "push button"))
    find(app, contains="weer gebruiken")
    shot("activate-confirmation")
    click(find(front(app), "Activeren", "push button"))
    wait("Bram active", lambda: find_all(app, "Blokkeren", "push button"))
    shot("bram-active")

    # 6. Block, revoke (irreversible, confirmed), new certificate, re-enrol
    click(find(app, "Blokkeren", "push button"))
    block_with_reason(app)
    find(app, "Geblokkeerd")
    click(find(app, contains="intrekken", role="push button"))
    find(app, contains="niet ongedaan")
    shot("revoke-confirmation")
    click(find(front(app), "Intrekken", "push button"))
    find(app, contains="Ingetrokken ·")
    shot("certificate-revoked")
    # a blocked user cannot add an ID: activate, then issue the new certificate
    click(find(app, "Activeren", "push button"))
    click(find(front(app), "Activeren", "push button"))
    wait("Bram active again", lambda: find_all(app, "Blokkeren", "push button"))
    click(find(app, "Certificaat registreren", "push button"))
    find(app, "Wachten op scan…", "label")
    png, payload = scan("new-certificate-qr")
    mobile(PHONE_BRAM, "enrol", "--qr-image", png)
    find(app, "ID toegevoegd", "label")
    shot("new-certificate-id-added")
    click(find(front(app), "Sluiten", "push button"))
    wait("the new certificate listed", lambda: len(find_all(app, contains="Certificaat ", role="label")) >= 2)
    shot("bram-reenrolled-active")
    click(find(app, "Terug", "push button"))

    # 6b. A Gebruiker: the QR saved as an image decodes to the same payload
    # (and enrols from the file); a Gebruiker's login is refused plainly
    register(app, "Dirk", "Gebruiker", "1970-07-07")
    png, payload = scan("enrolment-qr-dirk")
    saved = os.path.join(WORK, "qr-dirk.png")
    save_via_chooser(app, "Opslaan als afbeelding…", saved)
    find(app, contains="Afbeelding opgeslagen")
    shot("qr-image-saved")
    if zbar(saved) != payload:
        fail("the saved image does not decode to the QR on screen: %r" % zbar(saved))
    # whoever can read it can enrol as Dirk
    if os.stat(saved).st_mode & 0o777 != 0o600:
        fail("the saved enrolment QR is not private: mode %o" % (os.stat(saved).st_mode & 0o777))
    mobile(PHONE_DIRK, "enrol", "--qr-image", saved)
    find(app, "ID toegevoegd", "label")
    click(find(front(app), "Sluiten", "push button"))
    find(app, "Beheer Dirk Gebruiker", "push button")
    logout(app)
    if find_all(app, contains="Afbeelding opgeslagen") or find_all(app, contains="geregistreerd"):
        fail("a toast of the logged-in session is still shown after logging out")
    find(app, "U bent uitgelogd.", "label")
    png, payload = scan("login-qr-dirk")
    p = mobile(PHONE_DIRK, "login", "--qr-image", png, ok=(1,))
    find(app, contains="geen toegang tot het portaal")
    shot("landing-gebruiker-refused")
    if find_all(app, "Uitloggen", "push button"):
        fail("a Gebruiker was let into the portal")
    stop_app()

    # 7. 29 days later Carla (never enrolled) is inactive
    app = start_app({"ZID_TEST_CLOCK_OFFSET": str(29 * 24 * 3600)})
    login(app, PHONE_ANNA, "anna-29-days-later")
    click(find(app, "Organisaties"))
    click(find(app, "Inactieve gebruikers van Zorggroep Noord", "push button"))
    find(app, "Carla Zorg")
    shot("inactive-users")

    # 8. Export them as CSV: the file is written and says what the window says
    csv_path = os.path.join(WORK, "inactief.csv")
    save_via_chooser(app, "Exporteren als CSV", csv_path)
    find(app, contains="Geëxporteerd")
    shot("inactive-exported")
    with open(csv_path, encoding="utf-8-sig") as f:
        rows = list(__import__("csv").reader(f, delimiter=";"))
    log("CSV", rows)
    if rows[0][:3] != ["first_name", "last_name", "birth_date"]:
        fail("the CSV has no header: %r" % rows[0])
    carla = [r for r in rows[1:] if r[:3] == ["Carla", "Zorg", "1995-02-03"]]
    if len(carla) != 1 or carla[0][-1] != "Zorggroep Noord":
        fail("Carla is not in the CSV once, with her organisation: %r" % rows)
    if any(r[0] == "Anna" for r in rows[1:]):
        fail("Anna, who just logged in, is listed as inactive")
    stop_app()
    print("ok - the administrator's journeys", flush=True)


if __name__ == "__main__":
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
