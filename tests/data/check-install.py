#!/usr/bin/python3
"""Check the tree that `meson install --destdir` produced.

Usage: check-install.py BUILD_DIR DESTDIR

What must be there is read from the build itself where it can be (the
executables come from `meson introspect --targets`, so a binary that is not
built yet is not required, and one that is built must be installed), and
from the application id for the desktop integration.  Every installed data
file is validated again with the same tools as the source files.
"""

import gettext
import json
import os
import re
import shutil
import stat
import subprocess
import sys

APP_ID = "nl.zorgid.Portaal"
GETTEXT_PACKAGE = "zorgid-portaal"

failures = []


def fail(msg):
    failures.append(msg)
    print(f"not ok: {msg}")


def ok(msg):
    print(f"ok: {msg}")


def introspect(build_dir, what):
    out = subprocess.run(
        ["meson", "introspect", what, build_dir],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def in_dest(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


def run_tool(argv, what):
    if shutil.which(argv[0]) is None:
        print(f"# {argv[0]} not installed: {what} not validated")
        return
    res = subprocess.run(argv, capture_output=True, text=True)
    if res.returncode == 77:
        print(f"# {what}: skipped, {res.stderr.strip()}")
    elif res.returncode == 0:
        ok(what)
    else:
        fail(f"{what}: {' '.join(argv)}\n{res.stdout}{res.stderr}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    build_dir, destdir = sys.argv[1], sys.argv[2]

    options = {o["name"]: o["value"] for o in introspect(build_dir, "--buildoptions")}
    prefix = options["prefix"]
    datadir = os.path.join(prefix, options["datadir"])
    bindir = os.path.join(prefix, options["bindir"])
    localedir = os.path.join(prefix, options["localedir"])

    # Nothing may land outside the prefix (a Flatpak only keeps /app).
    for root, _dirs, files in os.walk(destdir):
        for name in files:
            rel = "/" + os.path.relpath(os.path.join(root, name), destdir)
            if not rel.startswith(prefix.rstrip("/") + "/"):
                fail(f"installed outside the prefix {prefix}: {rel}")

    # 1. Every executable the build installs.
    executables = []
    for target in introspect(build_dir, "--targets"):
        if target["type"] != "executable" or not target.get("installed"):
            continue
        for path in target.get("install_filename") or []:
            executables.append(path)
    if not executables:
        print("# the build installs no executable yet")
    for path in executables:
        full = in_dest(destdir, path)
        if os.path.isfile(full) and os.access(full, os.X_OK):
            ok(f"executable {path}")
        else:
            fail(f"executable {path} not installed (or not executable)")
    for name in ("zorgid-portaal", "zorgid-admin", "zorgid-mobile"):
        if not any(os.path.basename(p) == name for p in executables):
            print(f"# {name}: not built by this configuration, not required")
        elif os.path.dirname(next(p for p in executables if os.path.basename(p) == name)) != bindir:
            fail(f"{name} is not installed into {bindir}")

    # 2. Desktop file, with its Dutch translation merged in.
    desktop = in_dest(destdir, os.path.join(datadir, "applications", APP_ID + ".desktop"))
    icon_name = None
    if not os.path.isfile(desktop):
        fail(f"desktop file missing: {desktop}")
    else:
        ok("desktop file installed")
        run_tool(["desktop-file-validate", desktop], "installed desktop file is valid")
        text = open(desktop, encoding="utf-8").read()
        for key in ("Name[nl]", "Comment[nl]", "Keywords[nl]"):
            if re.search(rf"^{re.escape(key)}=\S", text, re.M):
                ok(f"desktop file has {key}")
            else:
                fail(f"desktop file has no {key}: the Dutch translation was not merged")
        m = re.search(r"^Exec=(\S+)", text, re.M)
        exe = m.group(1) if m else None
        if exe != "zorgid-portaal":
            fail(f"desktop file Exec is {exe!r}, expected zorgid-portaal")
        elif any(os.path.basename(p) == exe for p in executables) or not executables:
            ok("desktop file Exec names the application")
        m = re.search(r"^Icon=(\S+)", text, re.M)
        icon_name = m.group(1) if m else None
        if icon_name != APP_ID:
            fail(f"desktop file Icon is {icon_name!r}, expected {APP_ID}")

    # 3. AppStream metainfo, with Dutch summary.
    metainfo = in_dest(destdir, os.path.join(datadir, "metainfo", APP_ID + ".metainfo.xml"))
    if not os.path.isfile(metainfo):
        fail(f"metainfo missing: {metainfo}")
    else:
        ok("metainfo installed")
        # The same validation as the source's (validate-metainfo.py knows
        # which elements Debian 12's tools predate)
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.dirname(os.path.dirname(here))
        for tool in ("appstreamcli", "appstream-util"):
            run_tool([sys.executable, os.path.join(here, "validate-metainfo.py"), tool, metainfo, root],
                     f"installed metainfo is valid ({tool})")
        text = open(metainfo, encoding="utf-8").read()
        if re.search(r'<summary xml:lang="nl">[^<]+</summary>', text):
            ok("metainfo has a Dutch summary")
        else:
            fail("metainfo has no Dutch summary")
        if f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' not in text:
            fail("metainfo does not launch the installed desktop file")

    # 4. Icons: the scalable app icon and its symbolic variant.
    icons = os.path.join(datadir, "icons", "hicolor")
    for sub, name in (("scalable/apps", APP_ID + ".svg"),
                      ("symbolic/apps", APP_ID + "-symbolic.svg")):
        path = in_dest(destdir, os.path.join(icons, sub, name))
        if os.path.isfile(path) and "<svg" in open(path, encoding="utf-8").read():
            ok(f"icon {sub}/{name}")
        else:
            fail(f"icon missing: {sub}/{name}")

    # 5. GSettings schema, compilable where it is installed.
    schemadir = in_dest(destdir, os.path.join(datadir, "glib-2.0", "schemas"))
    schema = os.path.join(schemadir, APP_ID + ".gschema.xml")
    if not os.path.isfile(schema):
        fail(f"GSettings schema missing: {schema}")
    else:
        ok("GSettings schema installed")
        run_tool(["glib-compile-schemas", "--strict", "--dry-run", schemadir],
                 "installed schemas compile")

    # 6. Translations: the Dutch catalogue, and that it really is Dutch.
    mo = in_dest(destdir, os.path.join(localedir, "nl", "LC_MESSAGES", GETTEXT_PACKAGE + ".mo"))
    if not os.path.isfile(mo):
        fail(f"Dutch translation missing: {mo}")
    else:
        with open(mo, "rb") as f:
            catalog = gettext.GNUTranslations(f)
        if catalog.gettext("Environment") == "Omgeving":
            ok("Dutch catalogue installed and translates")
        else:
            fail("Dutch catalogue does not translate 'Environment'")

    # 7. p11-kit module configs and the host-side forwarding helper.
    pkcs11 = os.path.join(datadir, "zorgid-portaal", "pkcs11")
    for name in ("opensc.module", "safesign-uzi.module", "zorgid-host.module.in"):
        path = in_dest(destdir, os.path.join(pkcs11, "modules", name))
        if not os.path.isfile(path):
            fail(f"p11-kit module config missing: {name}")
            continue
        fields = [l.split(":", 1)[0].strip() for l in open(path, encoding="utf-8")
                  if l.strip() and not l.lstrip().startswith("#")]
        if "module" in fields or "remote" in fields:
            ok(f"p11-kit module config {name}")
        else:
            fail(f"{name} names no module and no remote")
    helper = in_dest(destdir, os.path.join(pkcs11, "zorgid-pkcs11-forward"))
    if os.path.isfile(helper) and os.stat(helper).st_mode & stat.S_IXUSR:
        ok("zorgid-pkcs11-forward installed")
    else:
        fail("zorgid-pkcs11-forward missing or not executable")
    unit = in_dest(destdir, os.path.join(pkcs11, "zorgid-pkcs11-forward.service.in"))
    if os.path.isfile(unit) and "@EXEC_START@" in open(unit, encoding="utf-8").read():
        ok("the forwarding helper's systemd user service template is next to it")
    else:
        fail("zorgid-pkcs11-forward.service.in missing next to the helper (--enable needs it)")

    # 8. The help: Mallard pages for Yelp, and HTML where Yelp is missing.
    pages = in_dest(destdir, os.path.join(datadir, "help", "C", GETTEXT_PACKAGE))
    if os.path.isfile(os.path.join(pages, "index.page")):
        ok("help pages installed for Yelp (help:zorgid-portaal)")
    else:
        fail(f"help pages missing: {pages}/index.page")
    html = in_dest(destdir, os.path.join(datadir, "zorgid-portaal", "help", "index.html"))
    if shutil.which("yelp-build") is None:
        print("# yelp-build not installed: no HTML help to check")
    elif os.path.isfile(html):
        ok("help installed as HTML for desktops without Yelp")
    else:
        fail(f"HTML help missing: {html}")

    # The organisation server's unit, system user and sample settings:
    # where systemd looks, by default only with the prefix /usr or /usr/local
    server = [
        os.path.join(prefix, "lib", "systemd", "system", "zorgid-portaal-server.service"),
        os.path.join(prefix, "lib", "sysusers.d", "zorgid-portaal.conf"),
        os.path.join(datadir, "zorgid-portaal", "server", "server.conf"),
    ]
    wanted = options.get("server_unit") == "enabled" or (
        options.get("server_unit") == "auto" and prefix in ("/usr", "/usr/local"))
    for path in server:
        if os.path.isfile(in_dest(destdir, path)) != wanted:
            fail(f"{path} {'not ' if wanted else ''}installed with the prefix {prefix}")
        else:
            ok(f"{path} {'' if wanted else 'not '}installed with the prefix {prefix}")
    if wanted:
        unit = open(in_dest(destdir, server[0]), encoding="utf-8").read()
        exec_start = f"ExecStart={os.path.join(bindir, 'zorgid-admin')} server run"
        if exec_start in unit.splitlines() and not re.search(r"@[a-z_]+@", unit):
            ok(f"the unit runs the installed zorgid-admin ({exec_start})")
        else:
            fail(f"the installed unit does not say {exec_start}, or has @…@ left")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
