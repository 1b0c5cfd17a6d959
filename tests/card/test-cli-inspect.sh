#!/usr/bin/env bash
# zorgid-admin card inspect on the generated corpus (TAP)
set -u
. "$(dirname "$0")/test-cli-lib.sh"
c=${ZID_TEST_PKI:?}/corpus

run_admin card inspect "$c/valid-utf8.pem" --json
check "valid certificate: exit 0" [ "$rc" = 0 ]
check "JSON has every key of the issue" [ "$(json_get "$out" '",".join(k for k in ["given_name","surname","common_name","organisation","title","serial_number","oid_ca","uzi_version","uzi_number","card_type","subscriber_number","role","agb_code","purpose","not_before","not_after"] if k not in j)')" = "" ]
check "UTF-8 name survives" [ "$(json_get "$out" 'j["given_name"]+" "+j["surname"]')" = "Renée Müller" ]
check "fields" [ "$(json_get "$out" '"%s %s %s %s %s %s" % (j["uzi_number"], j["card_type"], j["subscriber_number"], j["agb_code"], j["uzi_version"], j["purpose"])')" = "987654321 Z 87654321 01234567 1 authentication" ]
check "ISO 8601 validity" [ -n "$(json_get "$out" 'j["not_after"]' | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" ]

run_admin --json card inspect "$c/valid-Z.der"
check "DER, global --json before card" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["card_type"]')" = Z ]

run_admin card inspect "$c/valid-M.pem"
check "text output" [ "$rc" = 0 ]
check "text names the URA" grep -q "12345678" <<<"$out"

while read -r name expect; do
  case $expect in ok|acceptatie-only|untrusted) continue;; esac
  run_admin card inspect "$c/$name.pem" --json
  check "$name refused with exit 1 and error $expect" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = "$expect" ] && [ -n "$(json_get "$out" 'j["message"]')" ]
done <"$c/EXPECT"

run_admin card inspect "$c/expired.pem" --json
check "expired: UZI-pas verlopen" grep -q "UZI-pas verlopen" <<<"$out"

run_admin card inspect "$c/test-oid.pem" --json
check "test-CA OID accepted in acceptatie" [ "$rc" = 0 ]
run_admin --environment productie card inspect "$c/test-oid.pem" --json
check "test-CA OID refused in productie" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = oid-ca-not-allowed ]
run_admin card inspect "$c/oid-unknown.pem" --json --extra-oid-ca 1.2.3.4.5
check "--extra-oid-ca admits a configured OID CA" [ "$rc" = 0 ]

run_admin card inspect "$c/garbage.pem" --json
check "not a certificate: exit 2" [ "$rc" = 2 ] && [ "$(json_get "$out" 'j["error"]')" = not-a-certificate ]
run_admin card inspect "$c/does-not-exist.pem"
check "missing file: exit 2" [ "$rc" = 2 ]
run_admin card inspect
check "no file: exit 2" [ "$rc" = 2 ]
run_admin card frobnicate
check "unknown subcommand: exit 2" [ "$rc" = 2 ]

run_admin card inspect "$c/valid-Z.pem" --json --trust "$ZID_TEST_PKI/trust"
check "--trust: chain validates" [ "$rc" = 0 ]
run_admin card inspect "$c/rogue.pem" --json --trust "$ZID_TEST_PKI/trust"
check "--trust: rogue CA refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]

# The UZI register's CRL in the trust folder
run_admin card inspect "$c/valid-Z.pem" --json --trust "$ZID_TEST_PKI/trust-crl"
check "--trust with a current CRL: a good card validates" [ "$rc" = 0 ]
run_admin card inspect "$c/revoked.pem" --json --trust "$ZID_TEST_PKI/trust-crl"
check "--trust with a CRL: revoked card refused" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = revoked ] && grep -q "ingetrokken door het UZI-register" <<<"$out"
run_admin card inspect "$c/valid-Z.pem" --json --trust "$ZID_TEST_PKI/trust-crl-stale"
check "--trust with a stale CRL: refused (crl)" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = crl ]
run_admin card inspect "$c/valid-Z.pem" --json --trust "$ZID_TEST_PKI/trust-crl-garbage"
check "--trust with an unreadable .crl: refused (crl)" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = crl ]
run_admin card inspect "$c/ca-leaf.pem" --json --trust "$ZID_TEST_PKI/trust"
check "--trust: CA certificate as card refused (key-usage)" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = key-usage ]

finish
