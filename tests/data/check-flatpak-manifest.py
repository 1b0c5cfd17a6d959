#!/usr/bin/python3
"""What CI can check of the Flatpak manifest without the runtime.

  check-flatpak-manifest.py MANIFEST
      Check the manifest: a pinned GNOME runtime, every source pinned, the
      sandbox permissions, the smart-card stack (pcsc-lite version, p11-kit
      and OpenSC registration, Flatpak's trust forwarding), the application
      module (no reference phone, no zbar, a skip list on its dir source),
      `branch`, and that the bundle command of flatpak/README.md names the
      runtime's repository (--runtime-repo), so the bundle installs on a
      desktop without the GNOME runtime.
  check-flatpak-manifest.py --self-test MANIFEST
      Break the manifest in the ways the checks exist for and require that
      each one is caught, so that none of them can pass vacuously.
  check-flatpak-manifest.py --print-config-opts MODULE MANIFEST
      Print the config-opts of MODULE, one per line (the build test uses
      the application's exactly).

Standard library only; Debian's /usr/bin/python3.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys

APP_ID = "nl.zorgid.Portaal"
APP_MODULE = "zorgid-portaal"
COMMAND = "zorgid-portaal"

# Every permission the application has, and why.  Anything else is refused:
# a new permission is added here with its reason, on purpose.
ALLOWED_FINISH_ARGS = {
    "--share=network": "the enrolment service that phones reach on the LAN",
    "--share=ipc": "X11 shared memory (fallback-x11)",
    "--socket=wayland": "the window",
    "--socket=fallback-x11": "the window where there is no Wayland",
    "--device=dri": "GPU rendering of GTK",
    "--socket=pcsc": "the host's pcscd: card readers and the UZI card",
}
# Files are imported and exported through the file chooser portal; no
# --filesystem at all.  These get a specific message.
FORBIDDEN_PREFIXES = ("--filesystem=", "--device=all", "--socket=x11",
                      "--socket=session-bus", "--socket=system-bus",
                      "--talk-name=org.freedesktop.Flatpak")

MIN_PCSC_LITE = (2, 4, 1)  # first client that speaks pcscd protocol 4:4 and 4:5

BRANCH = "stable"
RUNTIME_REPO = "https://dl.flathub.org/repo/flathub.flatpakrepo"
# What a local checkout may hold that must not be copied into the build.
REQUIRED_SKIP = ("_build", ".git", ".flatpak-builder", "_flatpak", "_repo")
# Modules that exist only for zorgid-mobile, the reference phone.
MOBILE_ONLY_MODULES = ("zbar",)

SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")


def load_modules(modules, base, errors, where="modules"):
    """Flatten modules, following nested lists and file references."""
    out = []
    for i, m in enumerate(modules):
        if isinstance(m, str):
            path = os.path.join(base, m)
            try:
                with open(path, encoding="utf-8") as f:
                    m = json.load(f)
            except (OSError, ValueError) as e:
                errors.append(f"{where}[{i}]: cannot load module file {m}: {e}")
                continue
        if not isinstance(m, dict) or "name" not in m:
            errors.append(f"{where}[{i}]: not a module with a name")
            continue
        out.append(m)
        out.extend(load_modules(m.get("modules", []), base, errors,
                                f"module {m['name']}"))
    return out


def check_source(mod, i, src, base, repo, errors):
    where = f"module {mod['name']}: source {i}"
    kind = src.get("type")
    if kind in ("archive", "file", "extra-data") and "url" in src:
        url = src["url"]
        if not url.startswith("https://"):
            errors.append(f"{where}: url is not https: {url}")
        if not SHA256.match(str(src.get("sha256", ""))):
            errors.append(f"{where}: {url} is not pinned by a sha256 of 64 hex digits")
    elif kind == "git":
        if not COMMIT.match(str(src.get("commit", ""))):
            errors.append(f"{where}: git source {src.get('url')} is not pinned by a 40-hex commit")
    elif kind in ("dir", "file", "patch") and "path" in src:
        path = os.path.normpath(os.path.join(base, src["path"]))
        if os.path.relpath(path, repo).startswith(".."):
            errors.append(f"{where}: local path {src['path']} is outside the repository")
        elif not os.path.exists(path):
            errors.append(f"{where}: local path {src['path']} does not exist")
    elif kind in ("script", "shell", "inline"):
        pass
    else:
        errors.append(f"{where}: source of type {kind!r} is neither a pinned download nor a local file")


def version_in(url, name):
    m = re.search(re.escape(name) + r"-(\d+(?:\.\d+)+)\.tar", url)
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


def bundle_commands(readme):
    """The `flatpak build-bundle` command lines of the README."""
    return [line.strip() for line in readme.splitlines()
            if "flatpak build-bundle" in line]


def check(manifest, manifest_path, readme=None):
    errors = []
    base = os.path.dirname(os.path.abspath(manifest_path))
    repo = os.path.dirname(base)
    if readme is None:
        try:
            with open(os.path.join(base, "README.md"), encoding="utf-8") as f:
                readme = f.read()
        except OSError as e:
            errors.append(f"flatpak/README.md cannot be read: {e}")
            readme = ""

    # How administrators install it: a branch, and a bundle that brings the
    # runtime's repository along.
    if manifest.get("branch") != BRANCH:
        errors.append(f"branch is {manifest.get('branch')!r}, expected {BRANCH!r} "
                      "(without it the ref is master and updates do not follow releases)")
    commands = bundle_commands(readme)
    if not commands:
        errors.append("flatpak/README.md has no `flatpak build-bundle` command")
    for c in commands:
        if f"--runtime-repo={RUNTIME_REPO}" not in c:
            errors.append(f"flatpak/README.md: bundle command without --runtime-repo={RUNTIME_REPO} "
                          f"(the bundle does not install where the runtime is missing): {c}")

    # Identity and runtime.
    if manifest.get("id", manifest.get("app-id")) != APP_ID:
        errors.append(f"id is {manifest.get('id')!r}, expected {APP_ID}")
    if manifest.get("command") != COMMAND:
        errors.append(f"command is {manifest.get('command')!r}, expected {COMMAND}")
    if manifest.get("runtime") != "org.gnome.Platform":
        errors.append(f"runtime is {manifest.get('runtime')!r}, expected org.gnome.Platform")
    if manifest.get("sdk") != "org.gnome.Sdk":
        errors.append(f"sdk is {manifest.get('sdk')!r}, expected org.gnome.Sdk")
    version = str(manifest.get("runtime-version", ""))
    if not re.fullmatch(r"\d+(\.\d+)?", version):
        errors.append(f"runtime-version {version!r} is not a pinned GNOME release (a number, not master)")
    for name in (APP_ID + ".desktop.in", APP_ID + ".metainfo.xml.in"):
        if not os.path.isfile(os.path.join(repo, "data", name)):
            errors.append(f"data/{name} missing: the Flatpak exports files named after the id")

    # Sandbox permissions.
    args = manifest.get("finish-args", [])
    for required in ALLOWED_FINISH_ARGS:
        if required not in args:
            errors.append(f"finish-args lacks {required} ({ALLOWED_FINISH_ARGS[required]})")
    for arg in args:
        if arg in ALLOWED_FINISH_ARGS:
            continue
        if arg.startswith(FORBIDDEN_PREFIXES):
            why = (" (files go through the file chooser portal)"
                   if arg.startswith("--filesystem=") else "")
            errors.append(f"finish-args has {arg}: broader than the app needs{why}")
        else:
            errors.append(f"finish-args has {arg}, which is not in the allowed list of "
                          "tests/data/check-flatpak-manifest.py")

    # Modules and their sources.
    modules = load_modules(manifest.get("modules", []), base, errors)
    by_name = {m["name"]: m for m in modules}
    for m in modules:
        sources = m.get("sources", [])
        if not sources:
            errors.append(f"module {m['name']} has no sources")
        for i, src in enumerate(sources):
            if isinstance(src, str):
                errors.append(f"module {m['name']}: source {i} is a file reference; inline it so it is checked")
                continue
            check_source(m, i, src, base, repo, errors)

    # The smart-card stack.
    pcsc = by_name.get("pcsc-lite")
    if pcsc is None:
        errors.append("no pcsc-lite module: the runtime's client may not speak the host pcscd's protocol")
    else:
        versions = [version_in(s.get("url", ""), "pcsc-lite") for s in pcsc.get("sources", [])
                    if isinstance(s, dict)]
        versions = [v for v in versions if v]
        if not versions or versions[0] < MIN_PCSC_LITE:
            errors.append("pcsc-lite must be >= %s (protocol 4:4 and 4:5), found %s"
                          % (".".join(map(str, MIN_PCSC_LITE)), versions))
    p11 = by_name.get("p11-kit")
    if p11 is None or "-Dmodule_config=/app/share/p11-kit/modules" not in p11.get("config-opts", []):
        errors.append("p11-kit must be bundled with -Dmodule_config=/app/share/p11-kit/modules: "
                      "the runtime's p11-kit never reads module configs under /app")
    opensc = by_name.get("opensc")
    if opensc is None:
        errors.append("no opensc module")
    elif not any("/app/share/p11-kit/modules/" in c for c in opensc.get("post-install", [])):
        errors.append("opensc is not registered with p11-kit in /app/share/p11-kit/modules")
    if p11 is not None and not any("/app/share/p11-kit/modules/flatpak-trust.module" in c
                                   for c in p11.get("post-install", [])):
        errors.append("the bundled p11-kit does not register flatpak-trust.module: "
                      "Flatpak's host trust store would be invisible in the sandbox")
    for name in MOBILE_ONLY_MODULES:
        if name in by_name:
            errors.append(f"module {name} is bundled: only zorgid-mobile, the reference phone, needs it")
    if "libqrencode" not in by_name:
        errors.append("no libqrencode module (the GNOME runtime does not ship it)")

    # The application itself, from this checkout.
    app = by_name.get(APP_MODULE)
    if app is None:
        errors.append(f"no module {APP_MODULE}")
    else:
        if modules[-1] is not app:
            errors.append(f"{APP_MODULE} is not the last module")
        if app.get("buildsystem") != "meson":
            errors.append(f"{APP_MODULE} is not built with meson")
        srcs = app.get("sources", [])
        if (len(srcs) != 1 or srcs[0].get("type") != "dir"
                or os.path.normpath(os.path.join(base, srcs[0].get("path", ""))) != repo):
            errors.append(f"{APP_MODULE} must build from the local checkout: one source, type dir, path ..")
        elif not all(s in srcs[0].get("skip", []) for s in REQUIRED_SKIP):
            errors.append(f"{APP_MODULE}: the dir source must skip {', '.join(REQUIRED_SKIP)} "
                          f"(has {srcs[0].get('skip', [])})")
        opts = app.get("config-opts", [])
        if "-Dmobile=false" not in opts:
            errors.append(f"{APP_MODULE}: without -Dmobile=false zorgid-mobile, the reference phone, "
                          "is installed for every administrator")
        if "-Dtest_clock=false" not in opts:
            errors.append(f"{APP_MODULE}: the Flatpak for administrators must build with -Dtest_clock=false")
        if "-Dpostgresql=disabled" not in opts:
            errors.append(f"{APP_MODULE}: the desktop application keeps its store in a file; build it "
                          "with -Dpostgresql=disabled (the runtime has no libpq, and auto would "
                          "depend on what the builder finds)")
        if "-Dgui=enabled" not in opts:
            errors.append(f"{APP_MODULE}: -Dgui=enabled, or the Flatpak has no window")
    return errors


def mutations(good):
    """(description, broken manifest, text the error must contain)."""
    def mod(m, name):
        return next(x for x in m["modules"] if isinstance(x, dict) and x["name"] == name)

    def with_(fn):
        m = copy.deepcopy(good)
        fn(m)
        return m

    yield ("runtime master", with_(lambda m: m.__setitem__("runtime-version", "master")), "runtime-version")
    yield ("no sha256", with_(lambda m: mod(m, "opensc")["sources"][0].pop("sha256")), "sha256")
    yield ("short sha256", with_(lambda m: mod(m, "libqrencode")["sources"][0].__setitem__("sha256", "abc")), "sha256")
    yield ("git branch only", with_(lambda m: mod(m, "libqrencode").__setitem__(
        "sources", [{"type": "git", "url": "https://github.com/fukuchi/libqrencode.git", "branch": "master"}])), "commit")
    yield ("http url", with_(lambda m: mod(m, "pcsc-lite")["sources"][0].__setitem__(
        "url", "http://pcsclite.apdu.fr/files/pcsc-lite-2.4.1.tar.xz")), "https")
    yield ("home access", with_(lambda m: m["finish-args"].append("--filesystem=home")), "--filesystem=home")
    yield ("host access", with_(lambda m: m["finish-args"].append("--filesystem=host")), "--filesystem=host")
    yield ("no pcsc socket", with_(lambda m: m["finish-args"].remove("--socket=pcsc")), "--socket=pcsc")
    yield ("no network", with_(lambda m: m["finish-args"].remove("--share=network")), "--share=network")
    yield ("flatpak escape", with_(lambda m: m["finish-args"].append("--talk-name=org.freedesktop.Flatpak")), "org.freedesktop.Flatpak")
    yield ("old pcsc-lite", with_(lambda m: mod(m, "pcsc-lite")["sources"][0].__setitem__(
        "url", "https://pcsclite.apdu.fr/files/pcsc-lite-2.3.3.tar.xz")), "pcsc-lite must be")
    yield ("opensc unregistered", with_(lambda m: mod(m, "opensc").__setitem__("post-install", [])), "registered")
    yield ("app not from checkout", with_(lambda m: mod(m, APP_MODULE).__setitem__(
        "sources", [{"type": "dir", "path": "../src"}])), "local checkout")
    yield ("test clock on", with_(lambda m: mod(m, APP_MODULE)["config-opts"].remove("-Dtest_clock=false")), "test_clock")
    yield ("no branch", with_(lambda m: m.pop("branch")), "branch")
    yield ("zbar bundled", with_(lambda m: m["modules"].insert(0, {
        "name": "zbar", "sources": [{"type": "archive", "url": "https://linuxtv.org/downloads/zbar/zbar-0.23.93.tar.bz2",
                                     "sha256": "83be8f85fc7c288fd91f98d52fc55db7eedbddcf10a83d9221d7034636683fa0"}]})), "zbar")
    yield ("phone installed", with_(lambda m: mod(m, APP_MODULE)["config-opts"].remove("-Dmobile=false")), "zorgid-mobile")
    yield ("postgresql left to chance", with_(lambda m: mod(m, APP_MODULE)["config-opts"].remove("-Dpostgresql=disabled")), "postgresql")
    yield ("no skip list", with_(lambda m: mod(m, APP_MODULE)["sources"][0].pop("skip")), "skip")
    yield ("build dir copied", with_(lambda m: mod(m, APP_MODULE)["sources"][0]["skip"].remove("_build")), "skip")
    yield ("host trust invisible", with_(lambda m: mod(m, "p11-kit").__setitem__("post-install", [])), "trust")
    yield ("local path outside", with_(lambda m: mod(m, "opensc")["sources"][1].__setitem__(
        "path", "../../etc/passwd")), "outside the repository")


def main(argv):
    if len(argv) == 2 and not argv[1].startswith("--"):
        mode, path = "check", argv[1]
    elif len(argv) == 3 and argv[1] == "--self-test":
        mode, path = "self-test", argv[2]
    elif len(argv) == 4 and argv[1] == "--print-config-opts":
        mode, path = "opts", argv[3]
    else:
        print(__doc__, file=sys.stderr)
        return 2

    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"not ok: {path} does not parse: {e}")
        return 1

    if mode == "opts":
        errors = []
        for m in load_modules(manifest.get("modules", []), os.path.dirname(os.path.abspath(path)), errors):
            if m["name"] == argv[2]:
                print("\n".join(m.get("config-opts", [])))
                return 0
        print(f"no module {argv[2]}", file=sys.stderr)
        return 1

    errors = check(manifest, path)
    if mode == "check":
        # flatpak-builder's own parser, where it is installed (it is not
        # needed for CI: it cannot fetch the runtime here anyway).
        if shutil.which("flatpak-builder"):
            res = subprocess.run(["flatpak-builder", "--show-manifest", path],
                                 capture_output=True, text=True)
            if res.returncode != 0 or "Unknown property" in res.stderr or "WARNING" in res.stderr:
                errors.append(f"flatpak-builder --show-manifest: {res.stderr.strip()}")
            else:
                print("ok: flatpak-builder --show-manifest parses it without warnings")
        else:
            print("# flatpak-builder not installed: the manifest was not parsed by it")
        for e in errors:
            print(f"not ok: {e}")
        if errors:
            return 1
        print(f"ok: {path}: runtime {manifest['runtime']}//{manifest['runtime-version']}, "
              f"{len(manifest['modules'])} modules, every source pinned, finish-args as required")
        return 0

    if errors:
        for e in errors:
            print(f"not ok: the manifest itself fails: {e}")
        return 1
    failed = 0
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), "README.md"), encoding="utf-8") as f:
        readme = f.read()
    cases = list(mutations(manifest))
    cases.append(("bundle without --runtime-repo", manifest,
                  re.sub(r"\s*--runtime-repo=\S+", "", readme), "--runtime-repo"))
    cases.append(("no bundle command", manifest, readme.replace("flatpak build-bundle", "flatpak build-export"),
                  "build-bundle"))
    for case in cases:
        if len(case) == 3:
            what, broken, expect = case
            text = readme
        else:
            what, broken, text, expect = case
        caught = [e for e in check(broken, path, text) if expect in e]
        if caught:
            print(f"ok: caught {what}: {caught[0]}")
        else:
            print(f"not ok: {what} was not caught")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
