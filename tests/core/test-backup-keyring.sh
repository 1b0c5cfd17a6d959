#!/usr/bin/env bash
# A backup of a data dir whose keys are encrypted with a secret in the
# Secret Service (gnome-keyring-daemon in a private D-Bus session, each
# session its own home: its own user): the backup keeps them encrypted and
# holds no secret; another user without the secret is refused, nothing
# written; with the secret stored (secret-tool store) the restore works,
# and so it does for the user who made it. TAP; exit 77 only when
# gnome-keyring-daemon is absent.
set -u
command -v gnome-keyring-daemon >/dev/null || { echo "1..0 # SKIP no gnome-keyring-daemon"; exit 77; }
command -v dbus-run-session >/dev/null || { echo "1..0 # SKIP no dbus-run-session"; exit 77; }

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
unset ZID_KEY_PROTECTION
check() { eval "$2"; ok $? "$1" "${3:-}"; }

. "$(dirname "${BASH_SOURCE[0]}")/keyring.sh"
export admin dir

session desk bash -c 'unlocked true
  A() { "$admin" --data-dir "$dir/data" "$@"; }
  A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
    A organisation bootstrap --ura 12345678 --first-name Anna --last-name Admin --birth-date 1980-01-01 >/dev/null &&
    A certificate ca >/dev/null && A config set service-address 127.0.0.1:8444 >/dev/null
  secret-tool lookup application nl.zorgid.Portaal key-set "$(cat "$dir/data/keys.id")" >"$dir/secret.txt"
  A --json backup "$dir/backup" >"$dir/backup.json" 2>"$dir/backup.err"' 2>"$dir/desk.err"
key_set=$(cat "$dir/data/keys.id" 2>/dev/null)
check "the data dir's keys are encrypted, the secret in the keyring" '[ -s "$dir/secret.txt" ] && [ -n "$key_set" ]'
check "backup made, it says the keys are encrypted and names the key set" \
  'grep -q "\"key_protection\":\"encrypted\",\"key_set\":\"$key_set\"" "$dir/backup.json"' "$(cat "$dir/backup.json" "$dir/backup.err")"
check "the backup holds keys.id and the keys encrypted, no plain key" \
  '[ -s "$dir/backup/keys.id" ] && grep -q "ENCRYPTED PRIVATE KEY" "$dir/backup/ca/key.pem" && ! grep -rlq -- "BEGIN PRIVATE KEY" "$dir/backup"'
check "the backup holds no secret" '! grep -rqF -- "$(cat "$dir/secret.txt")" "$dir/backup"'

session other bash -c 'unlocked true
  "$admin" --json --data-dir "$dir/restored-other" restore "$dir/backup" >"$dir/other.json" 2>"$dir/other.err"
  echo $? >"$dir/other.rc"' 2>/dev/null
check "another user without the secret: refused, exit 1, keys-unavailable" \
  '[ "$(cat "$dir/other.rc")" = 1 ] && grep -q "\"error\":\"keys-unavailable\"" "$dir/other.json"' "$(cat "$dir/other.json")"
check "the refusal names the key set and how to store the secret" \
  'grep -q "$key_set" "$dir/other.err" && grep -q "secret-tool store" "$dir/other.err"' "$(cat "$dir/other.err")"
check "nothing written" '[ ! -e "$dir/restored-other" ] && ! ls -a "$dir" | grep -q "\.restore-"'

session other bash -c 'unlocked true
  secret-tool store --label="ZORG-ID Portaal" application nl.zorgid.Portaal key-set "$(cat "$dir/backup/keys.id")" <"$dir/secret.txt"
  "$admin" --json --data-dir "$dir/restored-other" restore "$dir/backup" >"$dir/other2.json" 2>"$dir/other2.err" &&
  "$admin" --json --data-dir "$dir/restored-other" audit verify >"$dir/other2-verify.json" &&
  "$admin" --json --data-dir "$dir/restored-other" user list --as 1 >"$dir/other2-users.json"' 2>/dev/null
check "with the secret stored, another user restores it" 'grep -q "\"restored\"" "$dir/other2.json"' "$(cat "$dir/other2.err")"
check "there: audit verify intact, the users listed" \
  'grep -q "\"intact\":true" "$dir/other2-verify.json" && grep -q Anna "$dir/other2-users.json"'

session desk bash -c 'unlocked true
  "$admin" --json --data-dir "$dir/restored-same" restore "$dir/backup" >"$dir/same.json" 2>"$dir/same.err" &&
  "$admin" --json --data-dir "$dir/restored-same" audit verify >"$dir/same-verify.json"' 2>/dev/null
check "the user who made it restores it as it is" \
  'grep -q "\"restored\"" "$dir/same.json" && grep -q "\"intact\":true" "$dir/same-verify.json"' "$(cat "$dir/same.err")"

echo "1..$n"
