#!/usr/bin/env bash
# A data dir reached through symbolic links (a home folder moved to another
# disk) works like any other; the database file itself being a link is
# refused, and nothing is left behind by a refusal. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

mkdir -p "$dir/disk/home"
ln -s "$dir/disk/home" "$dir/home"

out=$("$admin" --data-dir "$dir/home/acc" registration add --ura 12345678 --name "Zorggroep Noord" 2>&1)
ok $? "a data dir below a symbolic link opens" "$out"
out=$("$admin" --data-dir "$dir/disk/home/acc" --json registration list 2>&1)
echo "$out" | grep -q 12345678; ok $? "the same data seen through the real path" "$out"
out=$("$admin" --data-dir "$dir/home/acc" --json registration list 2>&1)
echo "$out" | grep -q 12345678; ok $? "and again through the link" "$out"

# the database file as a link to somewhere else
mkdir -p "$dir/victim" "$dir/trap"
ln -s "$dir/victim/elsewhere.db" "$dir/trap/zorgid.db"
chmod 700 "$dir/trap"
out=$("$admin" --data-dir "$dir/trap" registration add --ura 12345678 --name "Zorggroep Noord" 2>&1)
[ $? != 0 ]; ok $? "a database file that is a link is refused" "$out"
[ ! -e "$dir/victim/elsewhere.db" ]; ok $? "nothing written where the link points"

echo "1..$n"
