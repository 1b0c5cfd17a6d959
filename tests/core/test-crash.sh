#!/usr/bin/env bash
# Crash consistency of the command line's writes: 100 rounds of
# `zorgid-admin user register`, each killed with SIGKILL at a random moment
# (before, during or after its transaction). Afterwards the database passes
# `PRAGMA integrity_check`, `zorgid-admin audit verify` (the audit chain and
# the seal over the data) is intact, and every registration the command
# line acknowledged (printed its answer before the kill) is there.
# TAP output.
set -u

rounds="${ZID_CRASH_ROUNDS:-100}"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/data" "$@"; }
db="$dir/data/zorgid.db"

A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null &&
  A organisation bootstrap --ura 12345678 --first-name Anna --last-name Vries --birth-date 1980-01-01 >/dev/null
ok $? "a data dir with an Administrator"

# how long one registration takes here, to spread the kills over it
start=$(date +%s%N)
A --json user register --as 1 --organisation 12345678 --first-name Eerste --last-name Meting \
  --birth-date 1990-01-01 >/dev/null
ok $? "one registration without a kill"
span=$(( ($(date +%s%N) - start) / 1000 * 3 / 2 ))   # microseconds, one and a half runs
echo "# one registration: $((span * 2 / 3 / 1000)) ms; kills spread over $((span / 1000)) ms"

acknowledged=()
killed=0
for round in $(seq "$rounds"); do
  out="$dir/out.$round"
  "$admin" --data-dir "$dir/data" --json user register --as 1 --organisation 12345678 \
    --first-name Crash --last-name Ronde --birth-date 1990-01-01 >"$out" 2>"$out.err" &
  pid=$!
  delay=$(( (RANDOM * 32768 + RANDOM) % span ))
  sleep "$(printf '0.%06d' "$delay")"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  status=$?
  [ $status = 137 ] && killed=$((killed + 1))
  # acknowledged: the answer was printed (whether or not the kill came after)
  if id=$(sed -n 's/^{"user":\([0-9]*\),.*/\1/p' "$out") && [ -n "$id" ]; then
    acknowledged+=("$id")
  fi
done
echo "# $rounds rounds: $killed killed while running, ${#acknowledged[@]} acknowledged"
[ "$killed" -ge $((rounds / 10)) ]
ok $? "at least a tenth of the kills landed while the command ran ($killed of $rounds)"

store_intact "$dir/data"

missing=0
for id in "${acknowledged[@]}"; do
  found=$(sqlite3 "$db" "SELECT count(*) FROM users u JOIN memberships m ON m.user_id = u.id
                         WHERE u.id = $id AND u.first_name = 'Crash'")
  audited=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'user.register' AND subject = 'user:$id'")
  [ "$found" = 1 ] && [ "$audited" = 1 ] || { missing=$((missing + 1)); echo "# user $id acknowledged but missing"; }
done
[ "$missing" = 0 ]; ok $? "every acknowledged registration is there, audited (${#acknowledged[@]})"

# and the data dir goes on working
A --json user register --as 1 --organisation 12345678 --first-name Na --last-name Afloop \
  --birth-date 1990-01-01 >/dev/null && [ "$(A --json audit verify 2>&1)" = '{"intact":true}' ]
ok $? "a registration after the crashes, still intact"

echo "1..$n"
