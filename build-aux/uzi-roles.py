#!/usr/bin/env python3
"""Turns data/uzi-role-codes.tsv (code TAB name, '#' comments) into a C
table sorted by code, for src/card/zid-uzi-roles.c."""
import sys

src, out = sys.argv[1], sys.argv[2]
rows = {}
with open(src, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        code = fields[0]
        if (len(fields) != 2 or len(code) != 6 or code[2] != "."
                or not (code[:2] + code[3:]).isdigit() or not fields[1].strip()):
            sys.exit(f"{src}:{number}: expected 'PP.SSS<TAB>name'")
        if code in rows:
            sys.exit(f"{src}:{number}: {code} twice")
        rows[code] = fields[1].strip()


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


with open(out, "w", encoding="utf-8") as f:
    f.write("/* generated from data/uzi-role-codes.tsv by build-aux/uzi-roles.py */\n")
    f.write("static const ZidUziRole uzi_roles[] = {\n")
    for code in sorted(rows):
        f.write(f"  {{ {c_string(code)}, {c_string(rows[code])} }},\n")
    f.write("};\n")
