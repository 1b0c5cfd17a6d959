#!/usr/bin/env bash
# make-pki.sh — the test PKI for UZI-pas tests (openssl only).
#
# Usage:
#   make-pki.sh corpus DIR
#       Root CA + "UZI-register" sub CA in DIR/ca, trust anchors in DIR/trust
#       (root and sub CA), a rogue CA, and the parser corpus in DIR/corpus:
#       one PEM per case (NAME.pem, some also NAME.der) and DIR/corpus/EXPECT,
#       lines "NAME ERROR-CODE" ("ok" for a valid certificate). Idempotent:
#       a DIR made by the same script version is kept (cache per build).
#       Also the chain cases (not in EXPECT: they parse, the chain check
#       refuses them): corpus/ca-leaf.pem (CA:true), weak-rsa1024.pem,
#       weak-sha1.pem, no-akid.pem, revoked.pem (on the sub CA's CRL); the
#       CRLs in DIR/crl (sub.crl.pem current, sub.crl.der, stale.crl.pem
#       with nextUpdate yesterday, root.crl.pem) and trust folders with them:
#       DIR/trust-crl (PEM .crl), trust-crl-der, trust-crl-bundle (one .pem
#       with root, sub and CRL), trust-crl-stale, trust-crl-garbage (a .crl
#       that is no CRL), trust-crl-badpem (a good and a broken CRL block in
#       one .pem), trust-crl-other (only the root's CRL).
#   make-pki.sh card DIR NAME [options]
#       A card (three RSA-2048 keys: auth, sign, enc; one subject) signed by
#       the sub CA of DIR, into DIR/cards/NAME: {auth,sign,enc}.{pem,key,p12},
#       nssdb/ (libcacard: nicknames auth, sign, enc; db password = PIN),
#       pin (the PIN), identity (the chosen fields, shell syntax). Options:
#         --ura N       subscriber number (URA), default 12345678
#         --type T      card type Z N M S, default Z
#         --uzi N       UZI number, default 123456789
#         --agb N       AGB code, default 12345678
#         --role R      role code, default 01.015
#         --given S --surname S   names (UTF-8), default Jan / Vries
#         --org S       organisation, default "Zorginstelling Test"
#         --title S     default Arts
#         --oid OID     OID CA, default 2.16.528.1.1003.1.3.5.5.2
#         --days N      validity in days, default 365
#         --expired     validity ended yesterday
#         --pin PIN     card PIN, default 1234 (4-8 characters for OpenSC CAC)
#         --ec          EC P-256 keys instead of RSA (SoftHSM only: CAC is RSA)
#       Cached: a card made with the same arguments is kept.
#
# Subscriber numbers (URA) have 8 digits, UZI numbers 9, AGB codes 8.
set -euo pipefail

VERSION=4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_id="$VERSION-$(cksum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"

die () { echo "make-pki.sh: $*" >&2; exit 1; }

ossl_conf () {
  # $1 = CA dir
  cat <<EOF
[ ca ]
default_ca = zid
[ zid ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
preserve = yes
email_in_dn = no
[ anything ]
countryName = optional
organizationName = optional
title = optional
surname = optional
givenName = optional
serialNumber = optional
commonName = optional
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
}

new_ca_dir () {
  mkdir -p "$1/new"
  : >"$1/index.txt"
  openssl rand -hex 8 >"$1/serial"
  ossl_conf "$1" >"$1/openssl.cnf"
}

rsa_key () { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
ec_key () { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign_cert CADIR CAKEY CACERT KEY SUBJ EXTFILE OUT [STARTDATE ENDDATE | DAYS]
sign_cert () {
  local cadir=$1 cakey=$2 cacert=$3 key=$4 subj=$5 ext=$6 out=$7
  local csr; csr=$(mktemp)
  openssl req -new -config "$cadir/openssl.cnf" -utf8 -key "$key" -subj "$subj" -out "$csr"
  local when=(-days "${8:-365}")
  if [ $# -ge 9 ]; then when=(-startdate "$8" -enddate "$9"); fi
  openssl ca -batch -config "$cadir/openssl.cnf" -utf8 -preserveDN -notext \
    -keyfile "$cakey" -cert "$cacert" -in "$csr" -out "$out" \
    -extfile "$ext" "${when[@]}" 2>/dev/null
  rm -f "$csr"
}

make_cas () {
  local d=$1
  mkdir -p "$d/ca" "$d/trust" "$d/rogue"
  new_ca_dir "$d/ca"
  rsa_key "$d/ca/root.key"
  openssl req -x509 -new -config "$d/ca/openssl.cnf" -utf8 -key "$d/ca/root.key" \
    -subj "/C=NL/O=ZID Test PKI/CN=ZID Test UZI Root CA" -days 3650 \
    -extensions v3_ca -out "$d/ca/root.pem"
  rsa_key "$d/ca/sub.key"
  printf 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$d/ca/v3_sub.ext"
  sign_cert "$d/ca" "$d/ca/root.key" "$d/ca/root.pem" "$d/ca/sub.key" \
    "/C=NL/O=ZID Test PKI/CN=ZID Test UZI-register Zorgverlener CA" "$d/ca/v3_sub.ext" "$d/ca/sub.pem" 3000
  cp "$d/ca/root.pem" "$d/trust/root.pem"
  cp "$d/ca/sub.pem" "$d/trust/sub.pem"
  # A CA nobody trusts, for the "untrusted" case
  new_ca_dir "$d/rogue"
  rsa_key "$d/rogue/root.key"
  openssl req -x509 -new -config "$d/rogue/openssl.cnf" -key "$d/rogue/root.key" \
    -subj "/C=NL/O=Rogue/CN=Rogue CA" -days 3650 -extensions v3_ca -out "$d/rogue/root.pem"
}

# ext_file OUT KU SAN
ext_file () {
  {
    echo "basicConstraints=CA:false"
    [ -n "$2" ] && echo "keyUsage=critical,$2"
    [ -n "$3" ] && echo "subjectAltName=$3"
    echo "subjectKeyIdentifier=hash"
    echo "authorityKeyIdentifier=keyid"
  } >"$1"
}

upn () { echo "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:$1@uzi.test"; }

corpus () {
  local d=$1 c=$1/corpus
  mkdir -p "$c"
  rsa_key "$c/key.pem"
  : >"$c/EXPECT"
  local prod=2.16.528.1.1003.1.3.5.5.2
  # case NAME EXPECT SUBJ KU SAN [days|start end] [rogue]
  case_cert () {
    local name=$1 expect=$2 subj=$3 ku=$4 san=$5; shift 5
    ext_file "$c/$name.ext" "$ku" "$san"
    if [ "${1:-}" = rogue ]; then
      sign_cert "$d/rogue" "$d/rogue/root.key" "$d/rogue/root.pem" "$c/key.pem" "$subj" "$c/$name.ext" "$c/$name.pem"
    else
      sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/key.pem" "$subj" "$c/$name.ext" "$c/$name.pem" "$@"
    fi
    rm -f "$c/$name.ext"
    echo "$name $expect" >>"$c/EXPECT"
  }
  local s="/C=NL/O=Zorginstelling Test/title=Arts/SN=Vries/GN=Jan/serialNumber=123456789/CN=Jan Vries"
  local t
  for t in Z N M S; do
    local oid=$prod
    case $t in N) oid=2.16.528.1.1003.1.3.5.5.3;; M) oid=2.16.528.1.1003.1.3.5.5.4;; S) oid=2.16.528.1.1003.1.3.5.5.5;; esac
    case_cert "valid-$t" ok "$s" digitalSignature \
      "otherName:2.5.5.5;IA5STRING:$oid-1-123456789-$t-12345678-01.015-12345678, $(upn 123456789)"
  done
  case_cert valid-utf8 ok \
    "/C=NL/O=Zorggroep Café Müller/title=Verpleegkundige/SN=Müller/GN=Renée/serialNumber=987654321/CN=Renée Müller" \
    digitalSignature "otherName:2.5.5.5;IA5STRING:$prod-1-987654321-Z-87654321-30.000-01234567, $(upn 987654321)"
  case_cert valid-sign ok "$s" nonRepudiation \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678"
  case_cert valid-enc ok "$s" "keyEncipherment,dataEncipherment" \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678"
  case_cert test-oid acceptatie-only "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:2.16.528.1.1007.99.217-1-123456789-Z-12345678-01.015-12345678"
  case_cert no-san no-subject-alt-name "$s" digitalSignature ""
  case_cert no-uzi-name no-uzi-name "$s" digitalSignature "$(upn 123456789), DNS:uzi.test"
  case_cert not-ia5 uzi-name-not-ia5 "$s" digitalSignature \
    "otherName:2.5.5.5;UTF8:$prod-1-123456789-Z-12345678-01.015-12345678"
  case_cert fields-short uzi-name-fields "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015"
  case_cert fields-long uzi-name-fields "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678-9"
  case_cert version-2 uzi-version "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-2-123456789-Z-12345678-01.015-12345678"
  case_cert card-type-x card-type "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-X-12345678-01.015-12345678"
  case_cert uzi-alpha uzi-number "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-12345678A-Z-12345678-01.015-12345678"
  case_cert ura-alpha subscriber-number "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-1234567B-01.015-12345678"
  case_cert oid-unknown oid-ca-not-allowed "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:1.2.3.4.5-1-123456789-Z-12345678-01.015-12345678"
  case_cert expired expired "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678" \
    20200101000000Z 20210101000000Z
  case_cert rogue untrusted "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678" rogue
  # Two UZI names: which holder is it? Refused, never the first one taken
  case_cert two-names uzi-name-multiple "$s" digitalSignature \
    "otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-12345678-01.015-12345678, otherName:2.5.5.5;IA5STRING:$prod-1-123456789-Z-99999999-01.015-12345678"
  chain_cases "$d"
  # DER copies and a file that is no certificate
  for n in valid-Z valid-utf8 no-san; do openssl x509 -in "$c/$n.pem" -outform DER -out "$c/$n.der"; done
  printf 'dit is geen certificaat\n' >"$c/garbage.pem"
}

# The chain cases: certificates that parse but whose chain check refuses
# them, and the CRLs of the sub CA (revoking corpus/revoked.pem)
chain_cases () {
  local d=$1 c=$1/corpus
  local name="otherName:2.5.5.5;IA5STRING:2.16.528.1.1003.1.3.5.5.2-1-123456789-Z-12345678-01.015-12345678"
  local s="/C=NL/O=Zorginstelling Test/title=Arts/SN=Vries/GN=Jan/serialNumber=123456789/CN=Jan Vries"
  local x
  x=$(mktemp)
  printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,digitalSignature,keyCertSign,cRLSign\nsubjectAltName=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$name" >"$x"
  sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/key.pem" "$s" "$x" "$c/ca-leaf.pem"
  ext_file "$x" digitalSignature "$name"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$c/rsa1024.key" 2>/dev/null
  sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/rsa1024.key" "$s" "$x" "$c/weak-rsa1024.pem"
  sed -i 's/^default_md = .*/default_md = sha1/' "$d/ca/openssl.cnf"
  sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/key.pem" "$s" "$x" "$c/weak-sha1.pem"
  sed -i 's/^default_md = .*/default_md = sha256/' "$d/ca/openssl.cnf"
  sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/key.pem" "$s" "$x" "$c/revoked.pem"
  { grep -v '^authorityKeyIdentifier' "$x"; echo 'authorityKeyIdentifier=none'; } >"$x.noakid"
  sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$c/key.pem" "$s" "$x.noakid" "$c/no-akid.pem"
  rm -f "$x" "$x.noakid"

  local cnf=$d/ca/openssl.cnf sub=(-keyfile "$d/ca/sub.key" -cert "$d/ca/sub.pem")
  mkdir -p "$d/crl"
  openssl ca -batch -config "$cnf" "${sub[@]}" -revoke "$c/revoked.pem" -crl_reason keyCompromise 2>/dev/null
  openssl ca -batch -config "$cnf" "${sub[@]}" -gencrl -crldays 30 -out "$d/crl/sub.crl.pem" 2>/dev/null
  openssl crl -in "$d/crl/sub.crl.pem" -outform DER -out "$d/crl/sub.crl.der"
  openssl ca -batch -config "$cnf" "${sub[@]}" -gencrl \
    -crl_lastupdate "$(date -u -d '-40 days' +%Y%m%d%H%M%SZ)" \
    -crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" -out "$d/crl/stale.crl.pem" 2>/dev/null
  openssl ca -batch -config "$cnf" -keyfile "$d/ca/root.key" -cert "$d/ca/root.pem" \
    -gencrl -crldays 30 -out "$d/crl/root.crl.pem" 2>/dev/null

  local t
  for t in crl crl-der crl-stale crl-garbage crl-badpem crl-other; do
    mkdir -p "$d/trust-$t"
    cp "$d/ca/root.pem" "$d/ca/sub.pem" "$d/trust-$t/"
  done
  cp "$d/crl/sub.crl.pem" "$d/trust-crl/sub.crl"
  cp "$d/crl/sub.crl.der" "$d/trust-crl-der/sub.crl"
  cp "$d/crl/stale.crl.pem" "$d/trust-crl-stale/sub.crl"
  printf 'dit is geen CRL\n' >"$d/trust-crl-garbage/sub.crl"
  { cat "$d/crl/sub.crl.pem"; printf -- '-----BEGIN X509 CRL-----\nZGl0IGlzIGdlZW4gQ1JM\n-----END X509 CRL-----\n'; } >"$d/trust-crl-badpem/crls.pem"
  cp "$d/crl/root.crl.pem" "$d/trust-crl-other/root.crl"
  mkdir -p "$d/trust-crl-bundle"
  cat "$d/ca/root.pem" "$d/ca/sub.pem" "$d/crl/sub.crl.pem" >"$d/trust-crl-bundle/uzi.pem"
}

card () {
  local d=$1 name=$2; shift 2
  local ura=12345678 type=Z uzi=123456789 agb=12345678 role=01.015 given=Jan surname=Vries
  local org="Zorginstelling Test" title=Arts oid=2.16.528.1.1003.1.3.5.5.2 days=365 expired=0 pin=1234 ec=0
  while [ $# -gt 0 ]; do
    case $1 in
      --ura) ura=$2; shift 2;; --type) type=$2; shift 2;; --uzi) uzi=$2; shift 2;;
      --agb) agb=$2; shift 2;; --role) role=$2; shift 2;; --given) given=$2; shift 2;;
      --surname) surname=$2; shift 2;; --org) org=$2; shift 2;; --title) title=$2; shift 2;;
      --oid) oid=$2; shift 2;; --days) days=$2; shift 2;; --expired) expired=1; shift;;
      --pin) pin=$2; shift 2;; --ec) ec=1; shift;;
      *) die "unknown card option $1";;
    esac
  done
  [ -f "$d/ca/sub.pem" ] || corpus_all "$d"
  local cd=$d/cards/$name
  local args="$script_id|$ura|$type|$uzi|$agb|$role|$given|$surname|$org|$title|$oid|$days|$expired|$pin|$ec"
  if [ -f "$cd/.args" ] && [ "$(cat "$cd/.args")" = "$args" ]; then return 0; fi
  rm -rf "$cd"; mkdir -p "$cd"
  local subj="/C=NL/O=$org/title=$title/SN=$surname/GN=$given/serialNumber=$uzi/CN=$given $surname"
  local san="otherName:2.5.5.5;IA5STRING:$oid-1-$uzi-$type-$ura-$role-$agb, $(upn "$uzi")"
  local when=("$days")
  [ "$expired" = 1 ] && when=("$(date -u -d '-400 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)")
  local use ku
  for use in auth sign enc; do
    case $use in auth) ku=digitalSignature;; sign) ku=nonRepudiation;; enc) ku=keyEncipherment,dataEncipherment;; esac
    if [ "$ec" = 1 ]; then ec_key "$cd/$use.key"; else rsa_key "$cd/$use.key"; fi
    ext_file "$cd/$use.ext" "$ku" "$san"
    sign_cert "$d/ca" "$d/ca/sub.key" "$d/ca/sub.pem" "$cd/$use.key" "$subj" "$cd/$use.ext" "$cd/$use.pem" "${when[@]}"
    rm -f "$cd/$use.ext"
    openssl pkcs12 -export -inkey "$cd/$use.key" -in "$cd/$use.pem" -name "$use" \
      -passout pass: -out "$cd/$use.p12"
  done
  printf '%s' "$pin" >"$cd/pin"
  {
    printf 'URA=%q\nCARD_TYPE=%q\nUZI=%q\nAGB=%q\nROLE=%q\n' "$ura" "$type" "$uzi" "$agb" "$role"
    printf 'GIVEN=%q\nSURNAME=%q\nORG=%q\nOID=%q\n' "$given" "$surname" "$org" "$oid"
  } >"$cd/identity"
  if command -v certutil >/dev/null && [ "$ec" = 0 ]; then
    mkdir -p "$cd/nssdb"
    printf '%s\n' "$pin" >"$cd/nssdb.pw"
    certutil -N -d "sql:$cd/nssdb" -f "$cd/nssdb.pw"
    for use in auth sign enc; do
      certutil -A -d "sql:$cd/nssdb" -n "$use" -t ,, -i "$cd/$use.pem" -f "$cd/nssdb.pw"
    done
    for use in auth sign enc; do
      pk12util -d "sql:$cd/nssdb" -i "$cd/$use.p12" -W '' -k "$cd/nssdb.pw" >/dev/null
    done
    rm -f "$cd/nssdb.pw"
  fi
  echo "$args" >"$cd/.args"
}

corpus_all () {
  local d=$1
  if [ -f "$d/.done" ] && [ "$(cat "$d/.done")" = "$script_id" ]; then return 0; fi
  rm -rf "$d/ca" "$d/trust" "$d/trust-"* "$d/crl" "$d/rogue" "$d/corpus" "$d/cards"
  mkdir -p "$d"
  make_cas "$d"
  corpus "$d"
  echo "$script_id" >"$d/.done"
}

# Serialise concurrent callers (meson runs tests in parallel).
with_lock () {
  local d=$1; shift
  mkdir -p "$d"
  exec 9>"$d/.lock"
  flock 9
  "$@"
}

cmd=${1:-}; [ $# -gt 0 ] && shift
case $cmd in
  corpus) [ $# -eq 1 ] || die "usage: make-pki.sh corpus DIR"; with_lock "$1" corpus_all "$1";;
  card) [ $# -ge 2 ] || die "usage: make-pki.sh card DIR NAME [options]"; with_lock "$1" card "$@";;
  *) die "usage: make-pki.sh corpus DIR | card DIR NAME [options]";;
esac
