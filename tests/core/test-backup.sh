#!/usr/bin/env bash
# `zorgid-admin backup` and `restore` on real files with the real service:
# backups taken while `zorgid-admin service run` serves phones
# (zorgid-mobile) enrolling one after another, each restored into a fresh
# data dir, where every enrolment acknowledged before that backup began is
# there, `audit verify` is intact and the environment serves (users listed,
# a new phone enrolled). Then every refusal, with its exit status and
# error code, leaving nothing behind. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
phones="${ZID_BACKUP_PHONES:-16}"
backups="${ZID_BACKUP_COUNT:-4}"

A() { "$admin" --data-dir "$dir/data" "$@"; }
now_ns() { date +%s%N; }
prepare_enrolments "$dir/data" "$phones"

start_service "$dir/data" "$port"; ok $? "the service runs on the data dir"
: >"$dir/acknowledged"

# the phones, one after another, noting each acknowledged enrolment
enrol_phones "$phones" &
loop_pid=$!

# the backups, while the phones enrol: the first once one enrolment is
# acknowledged, the next ones as the following come in
taken=0
during=0
for b in $(seq 1 "$backups"); do
  want=$(( b * phones / (backups + 1) ))
  while [ "$(wc -l <"$dir/acknowledged")" -lt "$want" ] && kill -0 "$loop_pid" 2>/dev/null; do
    sleep 0.05
  done
  kill -0 "$loop_pid" 2>/dev/null && during=$((during + 1))
  now_ns >"$dir/backup$b.start"
  A --json backup "$dir/backup$b" >"$dir/backup$b.json" 2>"$dir/backup$b.err" && taken=$((taken + 1))
done
wait "$loop_pid"; loop_pid=
acks=$(wc -l <"$dir/acknowledged")
[ "$taken" = "$backups" ]; ok $? "$taken backups taken" "$(cat "$dir"/backup*.err)"
[ "$during" -ge 2 ]; ok $? "$during of them while phones were enrolling"
[ "$acks" -ge $((phones / 2)) ]; ok $? "$acks of $phones enrolments acknowledged"
stop_service
echo "# backups: $(cat "$dir"/backup*.json | sed -n 's/.*"pages":\([0-9]*\),"restarts":\([0-9]*\).*/\1 pages \2 restarts/p' | paste -sd, -)"

events=$(sqlite3 "$dir/data/zorgid.db" "SELECT count(*) FROM audit WHERE action = 'store.backup'
                                        AND actor = 'operator' AND details GLOB 'schema=[0-9]* *'")
[ "$events" = "$backups" ]; ok $? "every backup is in the audit trail (store.backup: $events)"
store_intact "$dir/data"
mode=$(stat -c %a "$dir/backup1")/$(stat -c %a "$dir/backup1/zorgid.db")/$(stat -c %a "$dir/backup1/ca/cert.pem")
[ "$mode" = 700/600/600 ]; ok $? "the backup is a folder of mode 0700, its files 0600 ($mode)"
ls -a "$dir" | grep -q '\.partial-'; [ $? = 1 ]; ok $? "no staging folder left beside the backups"

for b in $(seq 1 "$backups"); do
  r="$dir/restored$b"
  "$admin" --data-dir "$r" --json restore "$dir/backup$b" >"$r.json" 2>"$r.err"
  ok $? "backup $b restored into a fresh data dir" "$(cat "$r.err")"
  out=$("$admin" --data-dir "$r" --json audit verify 2>&1)
  [ "$out" = '{"intact":true}' ]; ok $? "backup $b: audit verify is intact" "$out"
  acknowledged_kept "$(cat "$dir/backup$b.start")" sqlite3 "$r/zorgid.db"
  [ "$missing" = 0 ]; ok $? "backup $b: all $before enrolments acknowledged before it began are there"
  users=$("$admin" --data-dir "$r" --json user list --as 1 --organisation 12345678 2>&1 | grep -o '"id":' | wc -l)
  [ "$users" = $((phones + 1)) ]; ok $? "backup $b: the users are listed ($users)"
done

# the last restored environment serves: a new code, a phone enrolled
r="$dir/restored$backups"
port2=$(free_port)
"$admin" --data-dir "$r" config set service-address "127.0.0.1:$port2" >/dev/null &&
  "$admin" --data-dir "$r" --json user register --as 1 --organisation 12345678 --first-name Nieuw \
    --last-name Gebruiker --birth-date 1991-01-01 >"$dir/code-new.json" &&
  start_service "$r" "$port2" &&
  "$mobile" --data-dir "$dir/phone-new" --pin-file "$dir/pin" --json enrol "$(payload "$dir/code-new.json")" \
    >"$dir/phone-new.out" 2>"$dir/phone-new.err"
ok $? "the restored environment serves: a phone enrolled" "$(cat "$dir/phone-new.err" 2>/dev/null)"
stop_service
store_intact "$r"

# --- refusals: each with its exit status and error code, nothing left behind

# refused STATUS CODE DESCRIPTION -- zorgid-admin arguments…
refused() {
  local status=$1 code=$2 what=$3 out got
  shift 4
  out=$("$admin" --json "$@" 2>"$dir/refused.err")
  got=$?
  [ "$got" = "$status" ] && printf '%s' "$out" | grep -q "\"error\":\"$code\""
  ok $? "$what: exit $got, $code" "$out $(cat "$dir/refused.err")"
}
# nothing_left DATA_DIR: no data dir made, no staging folder beside it
nothing_left() {
  local parent
  parent=$(dirname "$1")
  [ ! -e "$1" ] && ! ls -a "$parent" | grep -q '\.restore-'
  ok $? "$2: nothing written"
}
# a copy of backup 1 with the manifest made to match its files again
# (as someone who edits both would)
copy_backup() { rm -rf "$2"; cp -a "$1" "$2"; }
rehash() {
  /usr/bin/python3 - "$1" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for f in m["files"]:
    data = open(os.path.join(d, f["path"]), "rb").read()
    f["size"] = len(data)
    f["sha256"] = hashlib.sha256(data).hexdigest()
json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
EOF
}

refused 2 backup-exists "backup into a folder that exists" -- --data-dir "$dir/data" backup "$dir/backup1"
mkdir "$dir/empty-out"
refused 2 backup-exists "backup into an empty folder that exists" -- --data-dir "$dir/data" backup "$dir/empty-out"
refused 2 not-a-backup "restore of a folder without a manifest" -- --data-dir "$dir/x0" restore "$dir/empty-out"
nothing_left "$dir/x0" "not a backup"

before=$(sqlite3 "$dir/restored1/zorgid.db" "SELECT max(id) FROM audit")
refused 1 store-exists "restore over a store without --force" -- --data-dir "$dir/restored1" restore "$dir/backup2"
after=$(sqlite3 "$dir/restored1/zorgid.db" "SELECT max(id) FROM audit")
[ "$before" = "$after" ]; ok $? "the store found is untouched"
out=$("$admin" --json --data-dir "$dir/restored1" restore --force "$dir/backup2" 2>&1)
ok $? "with --force it is restored" "$out"
previous=$(printf '%s' "$out" | sed -n 's/.*"previous":"\([^"]*\)".*/\1/p')
[ -n "$previous" ] && [ "$(sqlite3 "$previous/zorgid.db" "SELECT max(id) FROM audit")" = "$before" ]
ok $? "the store found was put aside whole, not deleted ($previous)"

refused 1 wrong-environment "restore into another environment" -- --environment productie \
  --data-dir "$dir/x1" restore "$dir/backup1"
nothing_left "$dir/x1" "another environment"

copy_backup "$dir/backup1" "$dir/tampered"
printf 'x' | dd of="$dir/tampered/ca/cert.pem" bs=1 seek=100 conv=notrunc 2>/dev/null
refused 1 backup-changed "a file changed after the backup (checksum)" -- --data-dir "$dir/x2" restore "$dir/tampered"
nothing_left "$dir/x2" "a changed file"

copy_backup "$dir/backup1" "$dir/truncated"
truncate -s $(( $(stat -c %s "$dir/truncated/zorgid.db") / 2 )) "$dir/truncated/zorgid.db"
refused 1 backup-changed "a truncated database" -- --data-dir "$dir/x3" restore "$dir/truncated"
nothing_left "$dir/x3" "a truncated database"
rehash "$dir/truncated"
refused 1 backup-damaged "a truncated database, its manifest made to match" -- --data-dir "$dir/x3" \
  restore "$dir/truncated"
nothing_left "$dir/x3" "a truncated database with a matching manifest"

copy_backup "$dir/backup1" "$dir/newer"
sed -i 's/"schema_version" : [0-9]*/"schema_version" : 99/' "$dir/newer/manifest.json"
refused 1 backup-newer "a backup of a newer schema" -- --data-dir "$dir/x4" restore "$dir/newer"
nothing_left "$dir/x4" "a newer schema"

copy_backup "$dir/backup1" "$dir/nokey"
rm "$dir/nokey/ca/key.pem"
refused 1 backup-changed "a backup without its CA key" -- --data-dir "$dir/x5" restore "$dir/nokey"
nothing_left "$dir/x5" "an absent key file"

copy_backup "$dir/backup1" "$dir/badkey"
echo "not a key" >"$dir/badkey/service-tls/key.pem"
rehash "$dir/badkey"
refused 1 keys-unavailable "a key that cannot be read" -- --data-dir "$dir/x6" restore "$dir/badkey"
nothing_left "$dir/x6" "an unreadable key"

copy_backup "$dir/backup1" "$dir/keyring"
printf 'b4ckupt3st\n' >"$dir/keyring/keys.id"
/usr/bin/python3 - "$dir/keyring/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["key_protection"] = "encrypted"; m["key_set"] = "b4ckupt3st"
m["files"].append({"path": "keys.id", "size": 0, "sha256": "0" * 64})
json.dump(m, open(sys.argv[1], "w"))
EOF
rehash "$dir/keyring"
refused 1 keys-unavailable "encrypted keys whose keyring secret is not here" -- --data-dir "$dir/x7" \
  restore "$dir/keyring"
nothing_left "$dir/x7" "a keyring secret not at hand"
grep -q "b4ckupt3st" "$dir/refused.err"; ok $? "the refusal names the key set to store"

cp -a "$dir/data" "$dir/halfkeys"
rm "$dir/halfkeys/service-tls/key.pem"
refused 1 keys-unavailable "backup of a data dir whose service key is gone" -- --data-dir "$dir/halfkeys" \
  backup "$dir/backup-half"
[ ! -e "$dir/backup-half" ] && ! ls -a "$dir" | grep -q '\.partial-'; ok $? "no backup and no staging left"

echo "1..$n"
