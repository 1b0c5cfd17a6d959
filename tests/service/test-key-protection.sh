#!/usr/bin/env bash
# The private keys at rest (src/core/zid-key-protection.h), through the
# real parts: gnome-keyring-daemon as the Secret Service in a private D-Bus
# session, unlocked with a test password, the CLI, the service over TLS
# and zorgid-mobile. TAP; exit 77 only when gnome-keyring-daemon is absent.
set -u
command -v gnome-keyring-daemon >/dev/null || { echo "1..0 # SKIP no gnome-keyring-daemon"; exit 77; }
command -v dbus-run-session >/dev/null || { echo "1..0 # SKIP no dbus-run-session"; exit 77; }

. "${ZID_SOURCE_ROOT:?}/tests/core/tap.sh"
. "$ZID_SOURCE_ROOT/tests/service/fixture.sh"
mobile="$ZID_BUILD_ROOT/src/mobile/zorgid-mobile"
unset ZID_KEY_PROTECTION
check() { eval "$2"; ok $? "$1" "${3:-}"; }

. "$ZID_SOURCE_ROOT/tests/core/keyring.sh"
A() { "$admin" --data-dir "$data" "$@"; }
export -f A
export admin dir mobile

encrypted_pem() { grep -q -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' "$1" && ! grep -q -- '-----BEGIN PRIVATE KEY-----' "$1"; }
plain_pem() { grep -q -- '-----BEGIN PRIVATE KEY-----' "$1"; }
encrypted_seal() { [ "$(stat -c %s "$1")" = 68 ] && [ "$(head -c 8 "$1")" = ZIDSEAL1 ]; }
mode600() { [ "$(stat -c %a "$1")" = 600 ]; }
snapshot() { (cd "$1" && find . -type f ! -name '*-wal' ! -name '*-shm' -print0 | sort -z | xargs -0 sha256sum; find . | sort); }
export -f encrypted_pem plain_pem

# --- 1. A new data dir with a Secret Service: every key encrypted --------
data="$dir/desktop"; export data
session desk bash -c 'unlocked true
  . "$ZID_SOURCE_ROOT/tests/service/fixture.sh"; service_fixture "$data"
  secret-tool lookup application nl.zorgid.Portaal key-set "$(cat "$data/keys.id")" >"$dir/secret.txt"
  "$admin" --data-dir "$data" --json doctor --no-card >"$dir/doctor1.json"
  "$admin" --data-dir "$data" service run --listen "127.0.0.1:$port" >/dev/null 2>"$dir/service1.log" &
  pid=$!; wait_for_port
  "$admin" --data-dir "$data" --json audit verify >"$dir/verify1.json"
  "$mobile" --data-dir "$dir/phone" --pin-file "$dir/pin" enrol "$payload" >"$dir/enrol.out" 2>&1
  echo $? >"$dir/enrol.rc"
  kill $pid; wait $pid' 2>"$dir/session1.err"
check "CA key encrypted (ENCRYPTED PRIVATE KEY, no plain key), 0600" 'encrypted_pem "$data/ca/key.pem" && mode600 "$data/ca/key.pem"'
check "service TLS key encrypted, 0600" 'encrypted_pem "$data/service-tls/key.pem" && mode600 "$data/service-tls/key.pem"'
check "seal key encrypted (AES-256-GCM), 0600" 'encrypted_seal "$data/seal.key" && mode600 "$data/seal.key"'
check "the wrapping secret is in the Secret Service, named by keys.id" '[ -s "$dir/secret.txt" ] && [ -s "$data/keys.id" ]'
check "no key material anywhere in plain text" '! grep -rlq -- "BEGIN PRIVATE KEY" "$data"'
check "a phone enrols with the service run from encrypted keys" '[ "$(cat "$dir/enrol.rc")" = 0 ]' "$(cat "$dir/enrol.out")"
check "doctor: keys ok, encrypted, names how to back up the secret" \
  'grep -q "\"id\":\"keys\",\"state\":\"ok\",\"title\":\"Sleutels\",\"description\":\"Sleutels versleuteld met een geheim uit de sleutelbos" "$dir/doctor1.json" && grep -q "secret-tool lookup" "$dir/doctor1.json"'
check "audit verify: intact" 'grep -q "\"intact\":true" "$dir/verify1.json"'

# --- 2. The enrolment service's own tests (enrol, log in, over TLS) ------
if [ -x "$ZID_BUILD_ROOT/tests/service/test-service" ]; then
  session svc bash -c 'unlocked env ZID_TEST_KEYS_ENCRYPTED=1 "$ZID_BUILD_ROOT/tests/service/test-service" \
      -p /service/enrol -p /service/login -p /service/mobile' >"$dir/service-tests.out" 2>&1
  rc=$?
  check "service tests with encrypted keys: enrol (+ expired, concurrent), login (+ refusals), zorgid-mobile enrol + login" \
    '[ "$rc" = 0 ] && [ "$(grep -c "^ok" "$dir/service-tests.out")" = 7 ] && ! grep -q "^not ok" "$dir/service-tests.out"' "$(grep -v "^ok" "$dir/service-tests.out" | tail -n 5)"
fi

# --- 3. The secret removed: a clear refusal, nothing written -------------
snapshot "$data" >"$dir/before.txt"
session desk bash -c 'unlocked true
  secret-tool clear application nl.zorgid.Portaal key-set "$(cat "$data/keys.id")"
  start=$(date +%s%N)
  "$admin" --data-dir "$data" --json user list --as 1 >"$dir/gone.out" 2>"$dir/gone.err"; echo $? >"$dir/gone.rc"
  "$admin" --data-dir "$data" certificate ca >/dev/null 2>>"$dir/gone.err"; echo $? >>"$dir/gone.rc"
  "$admin" --data-dir "$data" service run --listen 127.0.0.1:0 >/dev/null 2>"$dir/gone-service.err"; echo $? >>"$dir/gone.rc"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$dir/gone.ms"'
snapshot "$data" >"$dir/after.txt"
check "without its secret every command refuses (exit != 0)" '! grep -qx 0 "$dir/gone.rc"' "$(cat "$dir/gone.rc")"
check "the refusal says what happened and what to do (Dutch)" \
  'grep -q "staat niet in de sleutelbos" "$dir/gone.err" && grep -q "Er is niets gewijzigd" "$dir/gone.err" && grep -q "secret-tool store" "$dir/gone.err"' "$(head -c 600 "$dir/gone.err")"
check "the service refuses to start, with the same words" 'grep -q "staat niet in de sleutelbos" "$dir/gone-service.err"'
check "every file byte-identical, no new CA, no new file" 'cmp -s "$dir/before.txt" "$dir/after.txt"' "$(diff "$dir/before.txt" "$dir/after.txt" | head -n 5)"
check "refused quickly ($(cat "$dir/gone.ms") ms for three commands)" '[ "$(cat "$dir/gone.ms")" -lt 6000 ]'

# --- 4. ... and with the secret put back from its backup, all works ------
session back bash -c 'unlocked true
  secret-tool store --label="ZORG-ID Portaal" application nl.zorgid.Portaal key-set "$(cat "$data/keys.id")" <"$dir/secret.txt"
  "$admin" --data-dir "$data" --json user list --as 1 >"$dir/back.out" 2>"$dir/back.err"' 2>/dev/null
check "the secret restored with secret-tool store: the data dir opens again" 'grep -q Anna "$dir/back.out"' "$(cat "$dir/back.err")"

# --- 4b. Another secret put back under its name: refused, nothing written
snapshot "$data" >"$dir/before3.txt"
session other bash -c 'unlocked true
  head -c 32 /dev/urandom | base64 | secret-tool store --label="ZORG-ID Portaal" application nl.zorgid.Portaal key-set "$(cat "$data/keys.id")"
  "$admin" --data-dir "$data" user list --as 1 >/dev/null 2>"$dir/other.err"; echo $? >"$dir/other.rc"' 2>/dev/null
snapshot "$data" >"$dir/after3.txt"
check "a wrong secret: refused (cannot be decrypted), every file byte-identical" \
  '[ "$(cat "$dir/other.rc")" != 0 ] && grep -q "kan niet worden ontsleuteld" "$dir/other.err" && cmp -s "$dir/before3.txt" "$dir/after3.txt"' "$(cat "$dir/other.err")"

# --- 5. No Secret Service at all (a headless server): plain 0600, doctor warns
data="$dir/server"; export data
(
  unset DBUS_SESSION_BUS_ADDRESS
  export XDG_RUNTIME_DIR="$dir/no-bus" HOME="$dir/no-bus"; mkdir -p -m 0700 "$dir/no-bus"
  service_fixture "$data"
  "$admin" --data-dir "$data" --json doctor --no-card --port "$port" >"$dir/doctor2.json"
  "$admin" --data-dir "$data" doctor --no-card --port "$port" >"$dir/doctor2.txt"
  snapshot "$dir/desktop" >"$dir/before2.txt"
  "$admin" --data-dir "$dir/desktop" user list --as 1 >/dev/null 2>"$dir/nobus.err"; echo $? >"$dir/nobus.rc"
  snapshot "$dir/desktop" >"$dir/after2.txt"
)
check "no Secret Service: keys plain files of mode 0600" \
  'plain_pem "$data/ca/key.pem" && mode600 "$data/ca/key.pem" && plain_pem "$data/service-tls/key.pem" && mode600 "$data/service-tls/key.pem" && [ "$(stat -c %s "$data/seal.key")" = 32 ] && mode600 "$data/seal.key" && [ ! -e "$data/keys.id" ]'
check "doctor warns: keys only protected by file mode, and what to do" \
  'grep -q "\"id\":\"keys\",\"state\":\"warning\"" "$dir/doctor2.json" && grep -q "Sleutels alleen beschermd door bestandsrechten" "$dir/doctor2.txt" && grep -q "ontgrendel de sleutelbos" "$dir/doctor2.txt"'
check "an encrypted data dir without a Secret Service: refused, says so, untouched" \
  '[ "$(cat "$dir/nobus.rc")" != 0 ] && grep -q "geen D-Bus-sessie" "$dir/nobus.err" && cmp -s "$dir/before2.txt" "$dir/after2.txt"' "$(cat "$dir/nobus.err")"

# --- 6. Migration: the plain keys wrapped once a Secret Service is there --
cp "$data/ca/cert.pem" "$dir/server-ca-before.pem"
session migrate bash -c 'unlocked true
  "$admin" --data-dir "$data" --json user register --as 1 --organisation 12345678 --first-name Piet \
    --last-name Puk --birth-date 1990-01-01 >"$dir/migrate.out" 2>"$dir/migrate.err"
  "$admin" --data-dir "$data" audit list >"$dir/migrate-audit.txt"
  "$admin" --data-dir "$data" --json audit verify >"$dir/verify2.json"' 2>/dev/null
check "plain keys encrypted on first use with a Secret Service" \
  'encrypted_pem "$data/ca/key.pem" && encrypted_pem "$data/service-tls/key.pem" && encrypted_seal "$data/seal.key"' "$(cat "$dir/migrate.err")"
check "the same CA (certificate unchanged), the work done" 'grep -q enrolment_payload "$dir/migrate.out" && cmp -s "$data/ca/cert.pem" "$dir/server-ca-before.pem"'
check "each wrapping audited (keys.protected: seal.key, ca/key.pem, service-tls/key.pem)" \
  '[ "$(grep -c keys.protected "$dir/migrate-audit.txt")" = 3 ]' "$(tail -n 4 "$dir/migrate-audit.txt")"
check "audit verify after migration: intact" 'grep -q "\"intact\":true" "$dir/verify2.json"'

# --- 7. A Secret Service that D-Bus starts on demand, with no keyring ----
data="$dir/activated"; export data
session act bash -c 'start=$(date +%s%N)
  . "$ZID_SOURCE_ROOT/tests/service/fixture.sh"; service_fixture "$data"
  "$admin" --data-dir "$data" --json doctor --no-card >"$dir/doctor3.json"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$dir/act.ms"' 2>/dev/null
check "gnome-keyring started by D-Bus, no unlocked keyring: nothing waits ($(cat "$dir/act.ms") ms)" '[ "$(cat "$dir/act.ms")" -lt 5000 ]'
check "... and the keys stay plain, doctor warns" 'plain_pem "$data/ca/key.pem" && grep -q "\"id\":\"keys\",\"state\":\"warning\"" "$dir/doctor3.json"'

# --- 8. libsecret's password calls, as in the Flatpak (there backed by the
# Secret portal; here by the same gnome-keyring)
data="$dir/flatpak-like"; export data
session pw bash -c 'unlocked true; export ZID_KEY_VAULT_PASSWORD_API=1
  . "$ZID_SOURCE_ROOT/tests/service/fixture.sh"; service_fixture "$data"
  "$admin" --data-dir "$data" --json user list --as 1 >"$dir/pw.out" 2>"$dir/pw.err"
  secret-tool clear application nl.zorgid.Portaal key-set "$(cat "$data/keys.id")"
  "$admin" --data-dir "$data" --json user list --as 1 >/dev/null 2>"$dir/pw-gone.err"; echo $? >"$dir/pw-gone.rc"' 2>/dev/null
check "password calls: keys encrypted, read again by the next process" \
  'encrypted_pem "$data/ca/key.pem" && encrypted_seal "$data/seal.key" && grep -q Anna "$dir/pw.out"' "$(cat "$dir/pw.err")"
check "password calls: the secret removed, a clear refusal" \
  '[ "$(cat "$dir/pw-gone.rc")" != 0 ] && grep -q "staat niet in de sleutelbos" "$dir/pw-gone.err"'

echo "1..$n"
