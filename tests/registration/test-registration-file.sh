#!/usr/bin/env bash
# The signed registration file: zorgid-admin registration sign / import
# (docs/registration-file.md). TAP.
set -u
. "$(dirname "$0")/test-lib.sh"
pki=${ZID_OPERATOR_PKI:?ZID_OPERATOR_PKI not set}
"$(dirname "$0")/make-operator-pki.sh" "$pki"
trust=$pki/trust
data=$tmp/data

cat >"$tmp/reg.json" <<'JSON'
{
  "version": 1,
  "ura": "12345678",
  "name": "Huisartsenpraktijk De Linde",
  "agb": "01234567",
  "address": "Lindelaan 1, 3512 AB Utrecht",
  "reference": "VZVZ-2025-000123",
  "created": "2025-03-01T09:30:00Z"
}
JSON

# osign IN OUT [openssl cms options]: sign with OpenSSL itself (files our tool refuses to make)
osign () {
  local in=$1 out=$2; shift 2
  openssl cms -sign -binary -md sha256 -in "$in" -outform DER -out "$out" "$@" 2>"$tmp/openssl.err"
}
osign_op () { osign "$1" "$2" -nodetach -signer "$pki/operator.pem" -inkey "$pki/operator.key" -certfile "$pki/chain.pem" "${@:3}"; }
json_variant () { # NAME PYTHON-EXPR-ON-d: writes $tmp/NAME.json
  "$py" - "$tmp/reg.json" "$tmp/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d, ensure_ascii=False))
PY
}
nothing_stored () { check "$1: nothing stored" [ "$(sql 'SELECT count(*) FROM registrations')" = "$2" ]; }

# --- sign (operator side) ---------------------------------------------------
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/operator.key" \
  --cert "$pki/operator.pem" --chain "$pki/chain.pem" --out "$tmp/reg.p7m"
check "sign: exit 0" [ "$rc" = 0 ]
check "sign: answer names URA and reference" [ "$(json_get "$out" '"%s %s %s" % (j["ura"], j["reference"], j["format"])')" = "12345678 VZVZ-2025-000123 der" ]
check "sign: OpenSSL verifies the file against the operator root" \
  openssl cms -verify -binary -inform DER -in "$tmp/reg.p7m" -CAfile "$trust/root.pem" -purpose any -out "$tmp/content" 2>/dev/null
check "sign: the content is the JSON document, byte for byte" cmp -s "$tmp/content" "$tmp/reg.json"
run_admin registration sign --in "$tmp/reg.json" --key "$pki/operator.key" \
  --cert "$pki/operator.pem" --chain "$pki/chain.pem" --out "$tmp/reg.pem" --pem
check "sign --pem: exit 0, PEM CMS" [ "$rc" = 0 ] && grep -q -- "-----BEGIN CMS-----" "$tmp/reg.pem"

json_variant unknown 'd["adress"] = d.pop("address")'
run_admin --json registration sign --in "$tmp/unknown.json" --key "$pki/operator.key" --cert "$pki/operator.pem" --out "$tmp/x.p7m"
refused "sign refuses an unknown member" invalid-input 2 "Onbekend veld “adress”"
check "sign: nothing written on refusal" [ ! -e "$tmp/x.p7m" ]
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/smime.key" --cert "$pki/operator.pem" --out "$tmp/x.p7m"
refused "sign refuses a key of another certificate" invalid-input 2 "hoort niet bij"
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/expired.key" --cert "$pki/expired.pem" --out "$tmp/x.p7m"
refused "sign refuses an expired certificate" certificate-invalid 1 "verlopen"
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/server-eku.key" --cert "$pki/server-eku.pem" --out "$tmp/x.p7m"
refused "sign refuses a certificate without documentSigning" certificate-invalid 1 "extendedKeyUsage"
run_admin registration sign --in "$tmp/reg.json" --key "$pki/operator.key" --cert "$pki/operator.pem"
check "sign without --out: exit 2" [ "$rc" = 2 ]

# --- import: accepted ----------------------------------------------------------
run_admin --json registration import "$tmp/reg.p7m" --trust "$trust"
check "import: exit 0" [ "$rc" = 0 ]
check "import: the registration as signed" [ "$(json_get "$out" '"|".join([j["ura"], j["name"], j["agb"], j["address"], j["reference"]])')" = "12345678|Huisartsenpraktijk De Linde|01234567|Lindelaan 1, 3512 AB Utrecht|VZVZ-2025-000123" ]
check "import: signer named, new" [ "$(json_get "$out" '"%s %s" % (j["signer"], j["already_present"])')" = "CN=ZID Test VZVZ Registraties,O=ZID Test VZVZ,C=NL False" ]
check "import: stored as a pending registration" [ "$(sql "SELECT ura, name, reference, coalesce(completed, 0) FROM registrations")" = "12345678|Huisartsenpraktijk De Linde|VZVZ-2025-000123|0" ]
run_admin --json registration list
check "registration list shows it" [ "$(json_get "$out" 'j["registrations"][0]["ura"]')" = 12345678 ]

run_admin --json registration import "$tmp/reg.p7m" --trust "$trust"
check "import twice: exit 0, already present" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["already_present"]')" = true ]
check "import twice: still one registration" [ "$(sql 'SELECT count(*) FROM registrations')" = 1 ]
check "import twice: one registration.add in the audit trail" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.add'")" = 1 ]
check "import: each import audited with the signer" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.import' AND details LIKE '%signer=CN=ZID Test VZVZ Registraties%'")" = 2 ]

ZID_OPERATOR_TRUST_DIR=$trust run_admin --json registration import "$tmp/reg.pem"
check "import PEM, trust folder from ZID_OPERATOR_TRUST_DIR: exit 0" [ "$rc" = 0 ]
mkdir -p "$data/operator-trust" && cp "$trust/root.pem" "$data/operator-trust/"
run_admin --json registration import "$tmp/reg.p7m"
check "import, trust folder DATA-DIR/operator-trust: exit 0" [ "$rc" = 0 ]

# --- import: refused, nothing stored ----------------------------------------------
data=$tmp/data2

run_admin --json registration import "$tmp/reg.json" --trust "$trust"
refused "unsigned (bare JSON)" signature-invalid 1 "niet ondertekend"
nothing_stored "unsigned" 0

"$py" - "$tmp/reg.p7m" "$tmp/altered.p7m" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"De Linde")
d = d[:i] + b"De Lindf" + d[i + 8:]   # one byte of the content
open(sys.argv[2], "wb").write(d)
PY
run_admin --json registration import "$tmp/altered.p7m" --trust "$trust"
refused "altered content" signature-invalid 1 "gewijzigd"
nothing_stored "altered" 0

openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/expired.pem" -inkey "$pki/expired.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/expired.p7m" 2>/dev/null
run_admin --json registration import "$tmp/expired.p7m" --trust "$trust"
refused "expired signer" certificate-invalid 1 "verlopen op"
nothing_stored "expired signer" 0

openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/notyet.pem" -inkey "$pki/notyet.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/notyet.p7m" 2>/dev/null
run_admin --json registration import "$tmp/notyet.p7m" --trust "$trust"
refused "signer not yet valid" certificate-invalid 1 "nog niet"

if grep -q "ZID_ENABLE_TEST_CLOCK 1" "$ZID_BUILD_ROOT/config.h"; then
  ZID_TEST_CLOCK_OFFSET=$((400 * 86400)) run_admin --json registration import "$tmp/reg.p7m" --trust "$trust"
  refused "valid today, expired by the portal's clock (+400 days)" certificate-invalid 1 "verlopen op"
  nothing_stored "expired by the clock" 0
else
  skip "expired by the portal's clock" "built without -Dtest_clock"
fi

openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/rogue/operator.pem" \
  -inkey "$pki/rogue/operator.key" -certfile "$pki/rogue/root.pem" -outform DER -out "$tmp/rogue.p7m" 2>/dev/null
run_admin --json registration import "$tmp/rogue.p7m" --trust "$trust"
refused "untrusted signer" certificate-invalid 1 "niet vertrouwd"
nothing_stored "untrusted" 0

run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/empty-trust-missing"
refused "missing trust folder" io 1 "empty-trust-missing"
mkdir -p "$tmp/empty-trust"
run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/empty-trust"
refused "trust folder without anchors" certificate-invalid 1 "geen basiscertificaat"
mkdir -p "$tmp/trust-with-sub" && cp "$trust/root.pem" "$pki/chain.pem" "$tmp/trust-with-sub/"
openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/operator.pem" -inkey "$pki/operator.key" \
  -outform DER -out "$tmp/nochain.p7m" 2>/dev/null
run_admin --json registration import "$tmp/nochain.p7m" --trust "$trust"
refused "intermediate neither in the file nor in the folder" certificate-invalid 1 "niet vertrouwd"
data=$tmp/data3
run_admin --json registration import "$tmp/nochain.p7m" --trust "$tmp/trust-with-sub"
check "intermediate from the trust folder: accepted" [ "$rc" = 0 ]

# --- the operator's CRLs in the trust folder ----------------------------------
openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/revoked.pem" -inkey "$pki/revoked.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/revoked.p7m" 2>/dev/null
data=$tmp/data-no-crl
run_admin --json registration import "$tmp/revoked.p7m" --trust "$trust"
check "revoked signer, no CRL in the folder: accepted (revocation not known)" [ "$rc" = 0 ]
mkdir -p "$tmp/trust-crl-der" "$tmp/trust-crl-bundle" "$tmp/trust-crl-stale" "$tmp/trust-crl-root"
cp "$trust/root.pem" "$tmp/trust-crl-der/"
openssl crl -in "$pki/crl/sub.crl" -outform DER -out "$tmp/trust-crl-der/sub.crl"
cat "$trust/root.pem" "$pki/crl/sub.crl" >"$tmp/trust-crl-bundle/vzvz.pem"
cp "$trust/root.pem" "$pki/crl/stale.crl" "$tmp/trust-crl-stale/"
cp "$trust/root.pem" "$pki/crl/root.crl" "$tmp/trust-crl-root/"
for t in der bundle; do
  data=$tmp/data-crl-$t
  run_admin --json registration import "$tmp/revoked.p7m" --trust "$tmp/trust-crl-$t"
  refused "revoked signer, the signing CA's CRL ($t) in the folder" certificate-invalid 1 "ingetrokken certificaat"
  nothing_stored "revoked signer ($t)" 0
  run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/trust-crl-$t"
  check "a signer not on the CRL ($t): accepted" [ "$rc" = 0 ]
done
data=$tmp/data-crl-stale
run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/trust-crl-stale"
refused "the CRL's nextUpdate has passed" certificate-invalid 1 "is verlopen; zet de actuele CRL"
nothing_stored "stale CRL" 0
run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/trust-crl-root"
refused "a CRL, but not the signing CA's" certificate-invalid 1 "niet die van"
nothing_stored "CRL of another CA" 0
# A CRL file that does not read is an error, never skipped (revocation would be off)
mkdir -p "$tmp/trust-crl-cut" "$tmp/trust-crl-b64"
cp "$trust/root.pem" "$tmp/trust-crl-cut/" && cp "$trust/root.pem" "$tmp/trust-crl-b64/"
head -c "$(($(wc -c <"$pki/crl/sub.crl") / 2))" "$pki/crl/sub.crl" >"$tmp/trust-crl-cut/sub.crl"
grep -v -- '-----' "$pki/crl/sub.crl" >"$tmp/trust-crl-b64/sub.crl"
for t in cut b64; do
  data=$tmp/data-crl-$t
  run_admin --json registration import "$tmp/revoked.p7m" --trust "$tmp/trust-crl-$t"
  refused "revoked signer, an unreadable .crl ($t) in the folder" certificate-invalid 1 "“sub.crl” in de vertrouwensmap .* is geen leesbare CRL"
  nothing_stored "unreadable CRL ($t)" 0
  run_admin --json registration import "$tmp/reg.p7m" --trust "$tmp/trust-crl-$t"
  refused "a good signer, an unreadable .crl ($t) in the folder" certificate-invalid 1 "geen leesbare CRL"
done
data=$tmp/data2

openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/server-eku.pem" -inkey "$pki/server-eku.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/eku.p7m" 2>/dev/null
run_admin --json registration import "$tmp/eku.p7m" --trust "$trust"
refused "signer without documentSigning/emailProtection" certificate-invalid 1 "extendedKeyUsage"
openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/no-ku.pem" -inkey "$pki/no-ku.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/ku.p7m" 2>/dev/null
run_admin --json registration import "$tmp/ku.p7m" --trust "$trust"
refused "signer without digitalSignature/nonRepudiation" certificate-invalid 1 "keyUsage"

# The signer's profile (§1, §3): ECDSA P-256 or larger, RSA 2048 or larger, not a CA
for who in p224 ca-signer; do
  osign "$tmp/reg.json" "$tmp/$who.p7m" -nodetach -signer "$pki/$who.pem" -inkey "$pki/$who.key" -certfile "$pki/chain.pem"
done
run_admin --json registration import "$tmp/p224.p7m" --trust "$trust"
refused "ECDSA P-224 signer" certificate-invalid 1 "te zwak"
run_admin --json registration import "$tmp/ca-signer.p7m" --trust "$trust"
refused "CA:TRUE signer" certificate-invalid 1 "CA-certificaat"
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/p224.key" --cert "$pki/p224.pem" --out "$tmp/x.p7m"
refused "sign refuses a P-224 key" certificate-invalid 1 "te zwak"
run_admin --json registration sign --in "$tmp/reg.json" --key "$pki/ca-signer.key" --cert "$pki/ca-signer.pem" --out "$tmp/x.p7m"
refused "sign refuses a CA certificate" certificate-invalid 1 "CA-certificaat"
check "sign: nothing written on these refusals" [ ! -e "$tmp/x.p7m" ]

osign "$tmp/reg.json" "$tmp/nocerts.p7m" -nodetach -nocerts -signer "$pki/operator.pem" -inkey "$pki/operator.key"
run_admin --json registration import "$tmp/nocerts.p7m" --trust "$trust"
refused "signer certificate not in the file" certificate-invalid 1 "ontbreekt"
osign "$tmp/reg.json" "$tmp/detached.p7m" -signer "$pki/operator.pem" -inkey "$pki/operator.key" -certfile "$pki/chain.pem"
run_admin --json registration import "$tmp/detached.p7m" --trust "$trust"
refused "detached signature" signature-invalid 1 "losse handtekening"
osign_op "$tmp/reg.json" "$tmp/two.p7m" -signer "$pki/smime.pem" -inkey "$pki/smime.key"
run_admin --json registration import "$tmp/two.p7m" --trust "$trust"
refused "two signers" signature-invalid 1 "2 ondertekenaars"
openssl cms -sign -binary -nodetach -md sha1 -in "$tmp/reg.json" -signer "$pki/operator.pem" -inkey "$pki/operator.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/sha1.p7m" 2>/dev/null
run_admin --json registration import "$tmp/sha1.p7m" --trust "$trust"
refused "SHA-1 digest" signature-invalid 1 "te zwakke"
printf 'dit is geen registratie\n' >"$tmp/garbage.p7m"
run_admin --json registration import "$tmp/garbage.p7m" --trust "$trust"
refused "neither CMS nor JSON" invalid-input 2 "geen ondertekend registratiebestand"
: >"$tmp/empty.p7m"
run_admin --json registration import "$tmp/empty.p7m" --trust "$trust"
refused "empty file" invalid-input 2 "leeg"
run_admin --json registration import "$tmp/nonexistent.p7m" --trust "$trust"
refused "missing file" io 1 "nonexistent.p7m"
nothing_stored "all refusals of the envelope" 0

# Contents, each signed properly by the operator (with OpenSSL: our tool checks first)
content_refused () { # NAME FILE PATTERN
  osign_op "$2" "$tmp/c.p7m"
  run_admin --json registration import "$tmp/c.p7m" --trust "$trust"
  refused "$1" invalid-input 2 "$3"
}
printf '{"version": 1, "ura": "12345678", "name": "X",' >"$tmp/malformed.json"
content_refused "malformed JSON" "$tmp/malformed.json" "geen geldige JSON"
printf '/* c */ {"version": 1}' >"$tmp/comment.json"
content_refused "JSON with a comment" "$tmp/comment.json" "geen JSON-object"
"$py" -c 'import sys; sys.stdout.write(open(sys.argv[1]).read().replace("\"version\": 1", "\"version\": 1, \"version\": 1"))' "$tmp/reg.json" >"$tmp/dup.json"
content_refused "duplicate member" "$tmp/dup.json" "“version” staat twee keer"
content_refused "unknown member" "$tmp/unknown.json" "Onbekend veld “adress”"
json_variant v2 'd["version"] = 2'
content_refused "version 2" "$tmp/v2.json" "Versie 2"
json_variant vstr 'd["version"] = "1"'
content_refused "version as a string" "$tmp/vstr.json" "geheel getal"
json_variant ura7 'd["ura"] = "1234567"'
content_refused "URA of 7 digits" "$tmp/ura7.json" "8 cijfers"
json_variant uranum 'd["ura"] = 12345678'
content_refused "URA as a number" "$tmp/uranum.json" "“ura” van de registratie moet tekst zijn"
json_variant agbnull 'd["agb"] = None'
content_refused "agb null" "$tmp/agbnull.json" "niet null"
json_variant noname 'del d["name"]'
content_refused "name missing" "$tmp/noname.json" "“name” ontbreekt"
json_variant future 'd["created"] = "2099-01-01T00:00:00Z"'
content_refused "created in the future" "$tmp/future.json" "in de toekomst"
json_variant notz 'd["created"] = "2025-03-01T09:30:00"'
content_refused "created without a time zone" "$tmp/notz.json" "RFC 3339"
printf '[1, 2]' >"$tmp/array.json"
content_refused "array instead of an object" "$tmp/array.json" "geen JSON-object"
nothing_stored "all refusals of the contents" 0

json_variant noagb 'del d["agb"]; d["ura"] = "87654321"'
osign_op "$tmp/noagb.json" "$tmp/noagb.p7m"
run_admin --json registration import "$tmp/noagb.p7m" --trust "$trust"
check "agb left out: accepted, no AGB" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["agb"]')" = None ]
openssl cms -sign -binary -nodetach -md sha256 -in "$tmp/reg.json" -signer "$pki/smime.pem" -inkey "$pki/smime.key" \
  -certfile "$pki/chain.pem" -outform DER -out "$tmp/smime.p7m" 2>/dev/null
run_admin --json registration import "$tmp/smime.p7m" --trust "$trust"
check "S/MIME signing certificate (emailProtection): accepted" [ "$rc" = 0 ]

json_variant other 'd["name"] = "Een andere naam"'
osign_op "$tmp/other.json" "$tmp/other.p7m"
run_admin --json registration import "$tmp/other.p7m" --trust "$trust"
refused "another registration for a URA already there" invalid-input 2 "al een andere registratie"
check "the first one is kept" [ "$(sql "SELECT name FROM registrations WHERE ura = '12345678'")" = "Huisartsenpraktijk De Linde" ]

check "refusals are in the audit trail" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.import.refused'")" -ge 30 ]
check "the altered file's refusal is there with its reason" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.import.refused' AND details LIKE 'signature-invalid:%gewijzigd%altered.p7m%'")" = 1 ]
# an operator reading English: the refusal in English, the trail's copy in Dutch all the same
LANGUAGE= LC_ALL=C.UTF-8 run_admin --json registration import "$tmp/altered.p7m" --trust "$trust"
refused "altered content, in English" signature-invalid 1 "changed after signing"
check "the trail keeps that refusal in Dutch" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.import.refused' AND details LIKE 'signature-invalid:%gewijzigd%altered.p7m%'")" = 2 ]
LANGUAGE= LC_ALL=C.UTF-8 run_admin --json registration import "$tmp/no-such-file.p7m" --trust "$trust"
refused "a file that is not there, in English" io 1 "cannot be read"
check "the trail keeps that refusal in Dutch" [ "$(sql "SELECT count(*) FROM audit WHERE action = 'registration.import.refused' AND details LIKE 'io:%kan niet worden gelezen%no-such-file.p7m%'")" = 1 ]
run_admin --json audit verify
check "audit trail intact" [ "$rc" = 0 ]

finish
