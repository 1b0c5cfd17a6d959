#!/usr/bin/env bash
# zorgid-admin card status / verify on the software card chain (TAP; runs
# inside `softcard.sh run`)
set -u
. "$(dirname "$0")/test-cli-lib.sh"
pki=${ZID_TEST_PKI:?}
sc=${ZID_SOFTCARD:?run inside softcard.sh run}

run_admin card status --json
check "status without a card: exit 0" [ "$rc" = 0 ]
check "status lists both readers, no card" [ "$(json_get "$out" '" ".join(str(r["card_present"]) for r in j["readers"])')" = "False False" ]

"$sc" insert "$pki/cards/renee" --reader 1 >/dev/null
run_admin card status --json
check "status with a card: exit 0" [ "$rc" = 0 ]
check "card present in reader 1 with an ATR" [ "$(json_get "$out" '"%s %s" % (j["readers"][1]["card_present"], bool(j["readers"][1]["atr"]))')" = "True True" ]
check "token label and parsed UZI fields" [ "$(json_get "$out" '"%s|%s|%s" % (j["tokens"][0]["label"], j["tokens"][0]["certificates"][0]["identity"]["subscriber_number"], j["tokens"][0]["certificates"][0]["identity"]["card_type"])')" = "Renée Müller|87654321|M" ]
check "three certificates" [ "$(json_get "$out" 'len(j["tokens"][0]["certificates"])')" = 3 ]

printf '1234\n' >"$tmp/pin"
run_admin card verify --pin-file "$tmp/pin" --json --trust "$pki/trust"
check "verify: exit 0" [ "$rc" = 0 ]
check "verify: verified identity with chain" [ "$(json_get "$out" '"%s %s %s" % (j["verified"], j["chain_validated"], j["identity"]["uzi_number"])')" = "True True 987654321" ]

printf '4321' >"$tmp/wrong"
run_admin card verify --pin-file "$tmp/wrong" --json
check "wrong PIN: exit 1, pin-incorrect, tries named" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = pin-incorrect ] && grep -q "nog 2 pogingen" <<<"$out"
run_admin card verify --pin-file "$tmp/pin" --json
check "right PIN after one wrong: exit 0" [ "$rc" = 0 ]

run_admin card verify --pin-file "$tmp/nonexistent" --json
check "unreadable PIN file: exit 2" [ "$rc" = 2 ]
run_admin card verify 1234
check "PIN on the command line is refused: exit 2" [ "$rc" = 2 ]

run_admin card verify --pin-file "$tmp/pin" --json --module /nonexistent/libaetpkss.so.3
check "module load failure names the path" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = module-load-failed ] && grep -q /nonexistent/libaetpkss.so.3 <<<"$out"

"$sc" eject --reader 1 >/dev/null
run_admin card verify --pin-file "$tmp/pin" --json
check "no card: exit 1, no-card" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = no-card ]

"$sc" stop-pcscd
run_admin card status --json
check "pcscd stopped: no-service" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = no-service ] && grep -q "Kaartlezerdienst niet actief" <<<"$out"
"$sc" start-pcscd

finish
