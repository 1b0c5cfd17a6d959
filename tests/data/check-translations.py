#!/usr/bin/python3
# The Dutch translation is complete: every file with translatable text is
# listed in po/POTFILES.in, and every string extracted from those files
# has a Dutch translation in po/nl.po that is neither missing nor fuzzy.
#
# Usage: check-translations.py SOURCE_ROOT
# Exit 77 when gettext's tools are not installed.

import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

MARKED_C = re.compile(r'\b(?:N?C?_|g_dpgettext2|ngettext|g_dngettext|zid_ngettext)\s*\(\s*"')
MARKED_UI = re.compile(r'translatable="yes"')

# The keywords meson's glib preset passes to xgettext
KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
            '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
            '--keyword=g_dpgettext2:2c,3', '--keyword=zid_ngettext:1,2']


def main(root):
    root = pathlib.Path(root)
    for tool in ('xgettext', 'msgmerge', 'msgfmt', 'msgattrib'):
        if shutil.which(tool) is None:
            print(f'1..0 # SKIP {tool} is not installed (package gettext)')
            return 77

    listed = [line.strip() for line in (root / 'po' / 'POTFILES.in').read_text().splitlines()
              if line.strip() and not line.startswith('#')]
    failures = []

    missing = [p for p in listed if not (root / p).is_file()]
    if missing:
        failures.append('POTFILES.in names files that do not exist: ' + ', '.join(missing))

    unlisted = []
    for path in sorted(root.glob('src/**/*.c')) + sorted(root.glob('data/ui/**/*.ui')):
        rel = str(path.relative_to(root))
        text = path.read_text(encoding='utf-8')
        pattern = MARKED_UI if path.suffix == '.ui' else MARKED_C
        if pattern.search(text) and rel not in listed:
            unlisted.append(rel)
    if unlisted:
        failures.append('files with translatable text missing from po/POTFILES.in: ' +
                        ', '.join(unlisted))

    with tempfile.TemporaryDirectory() as tmp:
        pot = pathlib.Path(tmp) / 'zorgid-portaal.pot'
        merged = pathlib.Path(tmp) / 'nl.po'
        subprocess.run(['xgettext', '--from-code=UTF-8', '--add-comments', *KEYWORDS,
                        '--directory', str(root), '--files-from', str(root / 'po' / 'POTFILES.in'),
                        '--output', str(pot)], check=True)
        subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '--output-file', str(merged),
                        str(root / 'po' / 'nl.po'), str(pot)], check=True)
        for label, po in (('po/nl.po as it is', root / 'po' / 'nl.po'),
                          ('po/nl.po against the sources', merged)):
            check = subprocess.run(['msgfmt', '--check', '--statistics', '--output-file', '/dev/null',
                                    str(po)], capture_output=True, text=True)
            stats = check.stderr.strip()
            if check.returncode != 0 or 'fuzzy' in stats or 'untranslated' in stats:
                failures.append(f'{label}: {stats}')
        untranslated = ''.join(subprocess.run(['msgattrib', which, str(merged)],
                                              capture_output=True, text=True).stdout
                               for which in ('--untranslated', '--only-fuzzy'))
        ids = re.findall(r'^msgid "(.+)"$', untranslated, re.M)
        if ids:
            failures.append('strings without a Dutch translation: ' + '; '.join(ids[:20]))

    if failures:
        for f in failures:
            print('not ok:', f)
        return 1
    print(f'ok: {len(listed)} files listed, Dutch translation complete')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
