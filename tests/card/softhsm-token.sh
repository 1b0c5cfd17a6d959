#!/usr/bin/env bash
# softhsm-token.sh — a SoftHSM2 token holding a test UZI-pas (TESTING.md §B)
#
#   softhsm-token.sh DIR LABEL PIN CARD_DIR
#
# Writes DIR/softhsm2.conf (export SOFTHSM2_CONF=DIR/softhsm2.conf to use
# it) and a token LABEL with user PIN PIN holding the three certificates and
# private keys of CARD_DIR (made by `make-pki.sh card PKI NAME`): auth id 01,
# sign id 02, enc id 03. Call again with another LABEL for more tokens.
# Exits 77 when softhsm2 is not installed.
set -euo pipefail
dir=$1 label=$2 pin=$3 card=$4
command -v softhsm2-util >/dev/null || { echo "softhsm2-util not installed" >&2; exit 77; }
mkdir -p "$dir/tokens"
[ -f "$dir/softhsm2.conf" ] ||
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$dir" >"$dir/softhsm2.conf"
export SOFTHSM2_CONF=$dir/softhsm2.conf
softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin 87654321 >/dev/null
module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)
i=1
for use in auth sign enc; do
  openssl x509 -in "$card/$use.pem" -outform DER -out "$dir/$label-$use.der"
  pkcs11-tool --module "$module" --token-label "$label" --login --pin "$pin" \
    --write-object "$dir/$label-$use.der" --type cert --id "0$i" --label "$use" >/dev/null 2>&1
  softhsm2-util --import "$card/$use.key" --token "$label" --label "$use" --id "0$i" --pin "$pin" >/dev/null
  i=$((i + 1))
done
