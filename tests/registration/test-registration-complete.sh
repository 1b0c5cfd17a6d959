#!/usr/bin/env bash
# zorgid-admin registration complete with the software UZI-pas (TESTING.md
# §A; runs inside `softcard.sh run`). TAP.
set -u
. "$(dirname "$0")/test-lib.sh"
pki=${ZID_TEST_PKI:?ZID_TEST_PKI not set}
sc=${ZID_SOFTCARD:?run inside softcard.sh run}
opki=${ZID_OPERATOR_PKI:?ZID_OPERATOR_PKI not set}
make_pki=${ZID_CARD_TESTS:?}/make-pki.sh
mobile=$ZID_BUILD_ROOT/src/mobile/zorgid-mobile
data=$tmp/data

# The cards: one person (UZI 123456789) with cards of two organisations,
# and the refusals
"$(dirname "$0")/make-operator-pki.sh" "$opki"
"$make_pki" card "$pki" reg-jan --ura 12345678
"$make_pki" card "$pki" reg-jan-b --ura 23456789 --org "Tweede Praktijk"
"$make_pki" card "$pki" reg-other --ura 34567890 --uzi 111111111 --given Piet --surname Jansen
"$make_pki" card "$pki" reg-expired --ura 45678901 --uzi 222222222 --expired
"$make_pki" card "$pki" reg-m --ura 56789012 --uzi 333333333 --type M
"$make_pki" card "$pki" reg-lock --ura 67890123 --uzi 444444444
"$make_pki" card "$pki" reg-race --ura 78901234 --uzi 555555555
export ZID_UZI_TRUST_DIR=$pki/trust
pin () { echo "$pki/cards/$1/pin"; }
insert () { "$sc" insert "$pki/cards/$1" >/dev/null; }
orgs () { sql "SELECT count(*) FROM organisations"; }
complete () { run_admin --json registration complete "$@"; }

# The enrolment service's address goes into the enrolment payload
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_admin config set service-address "127.0.0.1:$port"

# Pending registrations: one from a signed file, the others added
cat >"$tmp/reg.json" <<'JSON'
{"version": 1, "ura": "12345678", "name": "Huisartsenpraktijk De Linde", "agb": "01234567",
 "address": "Lindelaan 1, 3512 AB Utrecht", "reference": "VZVZ-2025-000123", "created": "2025-03-01T09:30:00Z"}
JSON
run_admin registration sign --in "$tmp/reg.json" --key "$opki/operator.key" --cert "$opki/operator.pem" \
  --chain "$opki/chain.pem" --out "$tmp/reg.p7m"
run_admin --json registration import "$tmp/reg.p7m" --trust "$opki/trust"
check "signed registration imported" [ "$rc" = 0 ]
for u in 23456789 34567890 45678901 56789012 67890123 78901234 99999999; do
  run_admin registration add --ura "$u" --name "Praktijk $u"
done

# --- before the card -----------------------------------------------------------
complete --ura 1234 --pin-file "$(pin reg-jan)"
refused "malformed --ura" invalid-input 2 "8 cijfers"
complete --ura 11111111 --pin-file "$(pin reg-jan)"
refused "no pending registration for --ura" no-registration 1 "VZVZ"
complete --ura 12345678 --pin-file "$(pin reg-jan)"
refused "no card inserted" no-card 1 ""
insert reg-jan
complete --ura 12345678 --pin-file "$(pin reg-jan)" --birth-date 2099-01-01
refused "birth date in the future" invalid-input 2 ""
complete --ura 12345678 --pin-file "$(pin reg-jan)"
refused "new mobile ID without --birth-date" invalid-input 2 "--birth-date"
check "... nothing stored" [ "$(orgs)" = 0 ]
ZID_UZI_TRUST_DIR= complete --ura 12345678 --pin-file "$(pin reg-jan)" --birth-date 1970-01-01
refused "no UZI trust folder configured" untrusted 1 "ZID_UZI_TRUST_DIR"

# --- a new mobile ID --------------------------------------------------------------
complete --ura 12345678 --pin-file "$(pin reg-jan)" --birth-date 1970-01-01 --qr-png "$tmp/qr.png"
check "complete with a new ID: exit 0" [ "$rc" = 0 ]
check "... organisation and card holder" [ "$(json_get "$out" '"%s|%s|%s" % (j["organisation"], j["organisation_name"], j["uzi_number"])')" = "12345678|Huisartsenpraktijk De Linde|123456789" ]
check "... new mobile ID: enrolment payload and expiry" [ "$(json_get "$out" '"%s %s %s" % (j["existing_mobile_id"], j["enrolment_payload"] is not None, j["expires"] is not None)')" = "False True True" ]
payload=$(json_get "$out" 'j["enrolment_payload"]')
admin_user=$(json_get "$out" 'j["user"]')
check "... the QR written as PNG" [ -s "$tmp/qr.png" ]
check "... the Administrator is the card holder, linked to the UZI number" [ "$(sql "SELECT first_name, last_name, birth_date, uzi_number FROM users WHERE id = $admin_user")" = "Jan|Vries|1970-01-01|123456789" ]
check "... Administrator of the new organisation" [ "$(sql "SELECT m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $admin_user AND o.ura = '12345678'")" != "" ]
check "... completion audited by the card" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.complete' AND actor = 'card:123456789' AND subject = '12345678'")" = 1 ]

complete --ura 12345678 --pin-file "$(pin reg-jan)" --birth-date 1970-01-01
refused "registration already completed" registration-completed 1 "al afgerond"
check "... still one organisation" [ "$(orgs)" = 1 ]

# --- the phone enrols; the same person completes a second organisation -------------
"$admin" --data-dir "$data" service run --listen "127.0.0.1:$port" >"$tmp/service.out" 2>"$tmp/service.log" &
service=$!
for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
printf '4711\n' >"$tmp/phone.pin"
rc=0; out=$("$mobile" --data-dir "$tmp/phone" --pin-file "$tmp/phone.pin" --json enrol "$payload" 2>"$tmp/stderr") || rc=$?
check "the phone enrols with the payload of the completion (zorgid-mobile against service run)" [ "$rc" = 0 ]
check "... the Administrator's mobile ID is active" [ "$(sql "SELECT mobile_id FROM users WHERE id = $admin_user")" = 1 ]
kill "$service" 2>/dev/null; wait "$service" 2>/dev/null

"$sc" eject >/dev/null
insert reg-jan-b
complete --ura 23456789 --pin-file "$(pin reg-jan-b)"
check "second organisation, same UZI number: exit 0 without a birth date" [ "$rc" = 0 ]
check "... recognised as the existing mobile ID, same user, no payload" [ "$(json_get "$out" '"%s %s %s" % (j["existing_mobile_id"], j["user"], j["enrolment_payload"])')" = "True $admin_user None" ]
check "... Administrator of both organisations" [ "$(sql "SELECT count(*) FROM memberships WHERE user_id = $admin_user")" = 2 ]
check "... one user for the person" [ "$(sql "SELECT count(*) FROM users WHERE uzi_number = '123456789'")" = 1 ]

# --- §8.1: an attribute via the UZI-pas: the card with its PIN, for one's own ID ------------
uzi_attribute () { run_admin --json attribute add --as "$admin_user" "$admin_user" --type uzi --organisation 12345678 "$@"; }
uzi_attributes () { sql "SELECT count(*) FROM attributes WHERE user_id = $admin_user AND type = 'uzi'"; }
uzi_attribute --task-code 123456789 --pin-file "$(pin reg-jan-b)"
refused "uzi attribute with a typed task code" invalid-input 2 "laat --task-code weg"
printf '9999' >"$tmp/wrong"
uzi_attribute --pin-file "$tmp/wrong"
refused "uzi attribute with a wrong PIN" pin-incorrect 1 "nog 2 pogingen"
check "... audited as a refused card, nothing stored" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'attribute.card.refused' AND actor = 'card:123456789' AND details LIKE 'pin-incorrect:%'")|$(uzi_attributes)" = "1|0" ]
uzi_attribute --pin-file "$(pin reg-jan-b)"
check "uzi attribute with the right PIN: exit 0" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["user"]')" = "$admin_user" ]
check "... the card's UZI number is the task code" [ "$(sql "SELECT task_code FROM attributes WHERE user_id = $admin_user AND type = 'uzi'")" = 123456789 ]
run_admin --json attribute add --as "$admin_user" "$admin_user" --type uzi --organisation 23456789 --pin-file "$tmp/nonexistent"
check "unreadable PIN file: refused, nothing stored" [ "$rc" != 0 ] && [ "$(uzi_attributes)" = 1 ]

# --- refusals --------------------------------------------------------------------------
before=$(orgs)
"$sc" eject >/dev/null; insert reg-other
complete --ura 99999999 --pin-file "$(pin reg-other)" --birth-date 1970-01-01
refused "URA mismatch" no-registration 1 "hoort bij URA 34567890"
complete --ura 34567890 --pin-file "$(pin reg-other)" --birth-date 1970-01-01 --trust "$opki/trust"
refused "card chain not ending in a UZI trust anchor" untrusted 1 ""

"$sc" eject >/dev/null; insert reg-expired
complete --ura 45678901 --pin-file "$(pin reg-expired)" --birth-date 1970-01-01
refused "expired card" expired 1 "UZI-pas verlopen"

"$sc" eject >/dev/null; insert reg-m
complete --ura 56789012 --pin-file "$(pin reg-m)" --birth-date 1970-01-01
refused "card type M" not-permitted 1 "type M"

"$sc" eject >/dev/null; insert reg-lock
complete --ura 67890123 --pin-file "$tmp/nonexistent" --birth-date 1970-01-01
check "unreadable PIN file: exit 2" [ "$rc" = 2 ]
printf '9999' >"$tmp/wrong"
complete --ura 67890123 --pin-file "$tmp/wrong" --birth-date 1970-01-01
refused "wrong PIN" pin-incorrect 1 "nog 2 pogingen"
complete --ura 67890123 --pin-file "$tmp/wrong" --birth-date 1970-01-01
refused "wrong PIN again" pin-incorrect 1 "nog 1 poging"
complete --ura 67890123 --pin-file "$tmp/wrong" --birth-date 1970-01-01
check "third wrong PIN: exit 1, locked" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = pin-locked ]
complete --ura 67890123 --pin-file "$(pin reg-lock)" --birth-date 1970-01-01
refused "right PIN on a locked card" pin-locked 1 ""
run_admin registration complete --ura 67890123 1234
check "PIN on the command line is refused: exit 2" [ "$rc" = 2 ]

check "refusals stored nothing" [ "$(orgs)" = "$before" ]
check "card refusals are audited (expired, untrusted, PIN)" [ "$(sql "SELECT group_concat(substr(details, 1, instr(details, ':') - 1), ' ') FROM (SELECT details FROM audit WHERE action = 'registration.card.refused' ORDER BY id)")" = "untrusted expired pin-incorrect pin-incorrect pin-locked pin-locked" ]
complete --ura 67890123 --pin-file "$tmp/nonexistent" --birth-date 1970-01-01
refused "a blocked PIN is refused when the card is read, before the PIN is asked" pin-locked 1 "geblokkeerd"
check "URA mismatch and type M are audited" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.check.refused' AND (details LIKE '%hoort bij URA 34567890%' OR details LIKE '%type M%')")" = 2 ]

# --- two processes at the same time, one card ---------------------------------------------
"$sc" eject >/dev/null; insert reg-race
for p in 1 2; do
  ( rc=0; "$admin" --data-dir "$data" --json registration complete --ura 78901234 --pin-file "$(pin reg-race)" \
      --birth-date 1970-01-01 >"$tmp/race$p.out" 2>"$tmp/race$p.err" || rc=$?; echo "$rc" >"$tmp/race$p.rc" ) &
done
wait
r1=$(cat "$tmp/race1.rc"); r2=$(cat "$tmp/race2.rc")
echo "# race: $r1 $(cat "$tmp/race1.out") / $r2 $(cat "$tmp/race2.out")"
check "two simultaneous completions: exactly one wins" [ "$(printf '%s\n' "$r1" "$r2" | sort | tr -d '\n')" = 01 ]
loser=1; [ "$r1" = 0 ] && loser=2
check "... the other is told it is completed" grep -q registration-completed "$tmp/race$loser.out"
check "... one organisation for the URA" [ "$(sql "SELECT count(*) FROM organisations WHERE ura = '78901234'")" = 1 ]

run_admin --json audit verify
check "audit trail intact" [ "$rc" = 0 ]
finish
