#!/usr/bin/python3
"""Validate the AppStream metainfo with TOOL, and check what we promise in it.

  validate-metainfo.py appstreamcli|appstream-util METAINFO SOURCE_ROOT

Runs `appstreamcli validate --strict --no-net` or `appstream-util
validate-strict --nonet`.  Debian 12's tools predate parts of today's
AppStream: appstreamcli 0.16 does not know <developer> (AppStream 1.0), and
appstream-glib 0.8.2 knows neither <developer>, <branding> nor <supports>.
For a tool that old, those elements (and only those) are rewritten to what
it knows (<developer_name>) or left out of the copy it validates, and the
output says so; a newer tool validates the file as it is.  Everything else
must pass unchanged.

Then, independent of the tools: <developer id>, update_contact, the
homepage, bugtracker, vcs-browser and translate URLs, light and dark
branding colours, and every screenshot an https URL of a file in
data/screenshots/ with the width and height the metainfo states.
Exit 77 when TOOL is not installed.  Standard library only.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PACKAGES = {"appstreamcli": "appstream", "appstream-util": "appstream-util"}


def tool_version(tool):
    arg = "--version"
    out = subprocess.run([tool, arg], capture_output=True, text=True)
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out.stdout + out.stderr)
    return tuple(int(x or 0) for x in m.groups()) if m else (0, 0, 0)


def downgrade(text, tool, version):
    """(text the tool can read, what was changed)."""
    changed = []
    if tool == "appstream-util" or version < (1, 0, 0):
        text, n = re.subn(r'<developer id="[^"]*">\s*<name([^>]*)>(.*?)</name>\s*</developer>',
                          r"<developer_name\1>\2</developer_name>", text, flags=re.S)
        if n:
            changed.append("<developer id> as <developer_name>")
    if tool == "appstream-util":
        for tag in ("branding", "supports"):
            text, n = re.subn(r"\s*<%s>.*?</%s>" % (tag, tag), "", text, flags=re.S)
            if n:
                changed.append(f"<{tag}> left out")
    return text, changed


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def promises(path, root):
    errors = []
    tree = ET.parse(path).getroot()
    dev = tree.find("developer")
    if dev is None or not dev.get("id") or dev.find("name") is None:
        errors.append("no <developer id=...> with a <name>")
    if tree.find("developer_name") is not None:
        errors.append("<developer_name> is deprecated: use <developer id>")
    if not (tree.findtext("update_contact") or "").strip():
        errors.append("no <update_contact>")
    urls = {u.get("type"): (u.text or "").strip() for u in tree.findall("url")}
    for kind in ("homepage", "bugtracker", "vcs-browser", "translate", "help"):
        if not urls.get(kind, "").startswith("https://"):
            errors.append(f"no https <url type=\"{kind}\">")
    schemes = {c.get("scheme_preference") for c in tree.findall("branding/color")
               if c.get("type") == "primary" and re.fullmatch(r"#[0-9a-fA-F]{6}", (c.text or "").strip())}
    if schemes != {"light", "dark"}:
        errors.append("branding needs a primary colour for the light and for the dark scheme")
    shots = tree.findall("screenshots/screenshot")
    if not shots:
        errors.append("no screenshots")
    for shot in shots:
        caption = (shot.findtext("caption") or "").strip()
        if not caption or len(caption) > 50 or caption.endswith("."):
            errors.append(f"caption {caption!r}: 1-50 characters, no full stop")
        for img in shot.findall("image"):
            url = (img.text or "").strip()
            name = url.rsplit("/", 1)[-1]
            local = os.path.join(root, "data", "screenshots", name)
            if not url.startswith("https://") or "/data/screenshots/" not in url:
                errors.append(f"{url}: not an https address of a file in data/screenshots/")
            elif not os.path.isfile(local):
                errors.append(f"{url}: data/screenshots/{name} is not in the repository")
            elif png_size(local) != (int(img.get("width", 0)), int(img.get("height", 0))):
                errors.append(f"data/screenshots/{name} is {png_size(local)}, the metainfo says "
                              f"{img.get('width')}x{img.get('height')}")
    return errors


def main(argv):
    if len(argv) != 4 or argv[1] not in PACKAGES:
        print(__doc__, file=sys.stderr)
        return 2
    tool, path, root = argv[1:]
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} is not installed (Debian package {PACKAGES[tool]})", file=sys.stderr)
        return 77
    version = tool_version(tool)
    with open(path, encoding="utf-8") as f:
        text, changed = downgrade(f.read(), tool, version)
    with tempfile.TemporaryDirectory() as tmp:
        # appstream-util reads the kind of file from its name
        copy = os.path.join(tmp, os.path.basename(path))
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
        if changed:
            print(f"# {tool} {'.'.join(map(str, version))} predates: {', '.join(changed)}")
        argv_tool = ([tool, "validate", "--strict", "--no-net", copy] if tool == "appstreamcli"
                     else [tool, "validate-strict", "--nonet", copy])
        res = subprocess.run(argv_tool, capture_output=True, text=True)
        print(res.stdout + res.stderr)
        if res.returncode != 0:
            print(f"not ok: {' '.join(argv_tool[:-1])} {path}")
            return 1
    print(f"ok: {tool} validates {os.path.basename(path)}")
    errors = promises(path, root)
    for e in errors:
        print(f"not ok: {e}")
    if errors:
        return 1
    print("ok: developer id, update contact, URLs, branding colours, screenshots in the repository at their sizes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
