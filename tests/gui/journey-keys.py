#!/usr/bin/python3
"""The private keys at rest, seen through the window's Controle.

Run by journey.sh (Xvfb, dbus-run-session, fresh XDG dirs and $HOME). The
Secret Service is gnome-keyring-daemon inside that private session,
unlocked with a test password; skipped (77) only without it.

The journey: a fresh install with an unlocked keyring → the window makes
its keys encrypted, Controle says "Sleutels: In orde" → the same folder
with the keyring kept away (ZID_KEY_PROTECTION=file) → refused with words
that say what to do, and no file changes → a folder without
any keyring → Controle warns "Sleutels: Let op", keys only protected by
file mode.
"""
import hashlib
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import journey as j  # noqa: E402  (the shared helpers; its main() does not run)
from journey import click, fail, find, find_all, log, shot, start_app, stop_app, wait  # noqa: E402

PLAIN_DATA = os.path.join(j.WORK, "portal-plain")


def key_files(data):
    return [os.path.join(data, f) for f in ("ca/key.pem", "service-tls/key.pem", "seal.key")]


def digest(data):
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(data)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(("-wal", "-shm")):
                continue
            path = os.path.join(root, name)
            h.update(path.encode())
            h.update(open(path, "rb").read())
    return h.hexdigest()


def controle(app, want):
    click(find(app, "Controle", "push button"))
    find(app, "Controles", timeout=10)
    wait("the checks", lambda: find_all(app, contains="Sleutels: "), 30)
    return find(app, contains=want)


def main():
    p = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                       input="test-password", text=True, capture_output=True)
    if p.returncode != 0:
        fail("gnome-keyring-daemon did not start: " + p.stderr[-300:])
    os.environ.pop("ZID_KEY_PROTECTION", None)

    # A fresh install with an unlocked keyring: the keys are made encrypted
    app = start_app()
    wait("the service's keys", lambda: all(os.path.exists(f) for f in key_files(j.DATA)), 30)
    controle(app, "Sleutels: In orde")
    find(app, contains="secret-tool lookup")
    shot("keys-encrypted")
    for f in key_files(j.DATA):
        head = open(f, "rb").read()
        if b"BEGIN PRIVATE KEY" in head or not (b"ENCRYPTED PRIVATE KEY" in head or head[:8] == b"ZIDSEAL1"):
            fail("%s is not encrypted" % f)
    stop_app()

    # The same folder without its keyring: refused with words that say what
    # happened and what to do, nothing written. The window cannot open a
    # data dir it cannot read: it says why in a dialog (someone who started
    # it from the desktop sees no terminal) and on stderr, and ends once
    # the dialog is closed.
    before = digest(j.DATA)
    env = dict(os.environ, ZID_KEY_PROTECTION="file")
    err_path = os.path.join(j.WORK, "refused.log")
    with open(err_path, "w") as err:
        p = subprocess.Popen([j.PORTAAL, "--data-dir", j.DATA, "--environment", "acceptatie"],
                             env=env, stdout=err, stderr=err)
    app = wait("the application on the accessibility bus",
               lambda: j.tree.root.application("zorgid-portaal"), 30)
    find(app, contains="Het portaal kan niet openen", timeout=20)
    find(app, contains="Er is niets gewijzigd")
    shot("keys-refused-dialog")
    click(find(app, "Sluiten", "push button"))
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the portal did not end after its refusal was closed")
    stderr = open(err_path).read()
    log("without the keyring:", rc, stderr.strip()[-400:])
    if rc == 0 or "Er is niets gewijzigd" not in stderr or "sleutelbos" not in stderr:
        fail("the refusal does not say what happened and what to do")
    if digest(j.DATA) != before:
        fail("a file of the data dir changed while its keys could not be read")

    # No keyring at all (a server): plain files, and Controle says so
    saved = j.DATA
    j.DATA = PLAIN_DATA
    app = start_app({"ZID_KEY_PROTECTION": "file"})
    wait("the service's keys", lambda: all(os.path.exists(f) for f in key_files(PLAIN_DATA)), 30)
    controle(app, "Sleutels: Let op")
    find(app, contains="Sleutels alleen beschermd door bestandsrechten")
    shot("keys-file-mode")
    stop_app()
    j.DATA = saved
    print("ok - keys encrypted with a keyring, refused without it, a warning where there is none",
          flush=True)


if __name__ == "__main__":
    if shutil.which("gnome-keyring-daemon") is None:
        print("1..0 # SKIP no gnome-keyring-daemon", flush=True)
        sys.exit(77)
    print("1..1", flush=True)
    try:
        main()
    finally:
        stop_app()
