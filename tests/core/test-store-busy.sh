#!/usr/bin/env bash
# A write that finds another process holding the database's write lock
# waits at most 10 s in all, then answers `busy` with nothing changed; once
# the lock is gone the same command works. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

A() { "$admin" --data-dir "$dir/acc" "$@"; }

A registration add --ura 12345678 --name "Zorggroep Noord" >/dev/null 2>&1
ok $? "a registration to start from"

# Another process takes the write lock and keeps it for 40 s
/usr/bin/python3 - "$dir/acc/zorgid.db" "$dir/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(40)
PY
holder=$!
for _ in $(seq 100); do [ -e "$dir/locked" ] && break; sleep 0.1; done
[ -e "$dir/locked" ]; ok $? "another process holds the write lock"

start=$(date +%s%N)
out=$(A --json registration add --ura 23456789 --name "Zorggroep Zuid" 2>"$dir/stderr")
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$status" = 1 ]; ok $? "the write is refused (exit 1)" "exit $status"
echo "$out" | grep -q '"busy"'; ok $? "answered as busy" "$out"
[ "$ms" -lt 20000 ]; ok $? "within the 10 s wait (and a loaded machine's start-up), not minutes" "${ms} ms"
[ "$ms" -ge 9000 ]; ok $? "after waiting for the lock" "${ms} ms"

kill "$holder"; wait "$holder" 2>/dev/null; holder=
out=$(A --json registration list 2>&1)
! echo "$out" | grep -q 23456789; ok $? "nothing of the refused write is there"
A registration add --ura 23456789 --name "Zorggroep Zuid" >/dev/null 2>&1
ok $? "the same write works once the lock is gone"

echo "1..$n"
