#!/usr/bin/env bash
# make-operator-pki.sh DIR — the operator's (VZVZ's) test PKI for signed
# registration files (openssl only; docs/registration-file.md §3).
#
#   DIR/trust/root.pem        the operator trust anchor (self-signed)
#   DIR/ca/{root,sub}.{pem,key}  root CA and the signing CA under it
#   DIR/chain.pem             the signing CA (intermediate, for --chain)
#   DIR/<name>.{pem,key}      signing certificates issued by the signing CA:
#     operator      valid 365 days, keyUsage digitalSignature+nonRepudiation,
#                   extendedKeyUsage documentSigning
#     smime         as operator, extendedKeyUsage emailProtection
#     expired       as operator, validity ended yesterday
#     notyet        as operator, valid from next year
#     server-eku    extendedKeyUsage serverAuth only
#     no-ku         keyEncipherment only
#     revoked       as operator, revoked by the signing CA
#     p224          as operator, an ECDSA P-224 key (too small: §1 asks P-256)
#     rsa2048       as operator, an RSA 2048 key (accepted)
#     rsa1024       as operator, an RSA 1024 key (too small)
#     ca-signer     as operator but basicConstraints CA:TRUE (keyUsage also
#                   keyCertSign, as a CA's would be)
#     ca-nocertsign as operator but basicConstraints CA:TRUE, keyUsage
#                   digitalSignature only (X509_check_ca says 0 for this one)
#   DIR/crl/sub.crl           the signing CA's CRL (revoked on it), valid 30 days
#   DIR/crl/stale.crl         the same list, its nextUpdate yesterday
#   DIR/crl/root.crl          the root CA's CRL (nothing revoked)
#   DIR/rogue/{root.pem,operator.pem,operator.key}  a CA nobody trusts and
#                   an operator certificate from it
#
# Cached: a DIR made by the same version of this script is kept. EC P-256
# keys (quick to make) unless the name says otherwise.
set -euo pipefail

dir=${1:?usage: make-operator-pki.sh DIR}
script_id="1-$(cksum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$script_id" ]; then exit 0; fi
rm -rf "$dir/ca" "$dir/trust" "$dir/rogue" "$dir/crl" "$dir"/*.pem "$dir"/*.key

key () { # OUT [genpkey options]
  local out=$1; shift
  [ $# -gt 0 ] || set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256
  openssl genpkey "$@" -out "$out" 2>/dev/null
}

conf () {
  cat <<CNF
[ ca ]
default_ca = op
[ op ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
countryName = optional
organizationName = optional
commonName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
}

new_ca () { # DIR SUBJ
  mkdir -p "$1/new"; : >"$1/index.txt"; openssl rand -hex 8 >"$1/serial"
  conf "$1" >"$1/openssl.cnf"
  key "$1/root.key"
  openssl req -x509 -new -config "$1/openssl.cnf" -key "$1/root.key" -subj "$2" -days 3650 \
    -extensions v3_ca -out "$1/root.pem"
}

issue () { # CADIR CAKEY CACERT KEY SUBJ EXTTEXT OUT [DAYS | START END]
  local cadir=$1 cakey=$2 cacert=$3 k=$4 subj=$5 ext=$6 out=$7; shift 7
  local csr extf; csr=$(mktemp); extf=$(mktemp)
  printf '%b\n' "$ext" >"$extf"
  openssl req -new -config "$cadir/openssl.cnf" -key "$k" -subj "$subj" -out "$csr"
  local when=(-days "${1:-365}")
  [ $# -ge 2 ] && when=(-startdate "$1" -enddate "$2")
  openssl ca -batch -config "$cadir/openssl.cnf" -notext -keyfile "$cakey" -cert "$cacert" \
    -in "$csr" -out "$out" -extfile "$extf" "${when[@]}" 2>/dev/null
  rm -f "$csr" "$extf"
}

mkdir -p "$dir/trust"
new_ca "$dir/ca" "/C=NL/O=ZID Test VZVZ/CN=ZID Test VZVZ Root CA"
key "$dir/ca/sub.key"
issue "$dir/ca" "$dir/ca/root.key" "$dir/ca/root.pem" "$dir/ca/sub.key" \
  "/C=NL/O=ZID Test VZVZ/CN=ZID Test VZVZ Ondertekening CA" \
  'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always' \
  "$dir/ca/sub.pem" 3000
cp "$dir/ca/root.pem" "$dir/trust/root.pem"
cp "$dir/ca/sub.pem" "$dir/chain.pem"

signer_ext () { # EKU KU [CA]
  printf 'basicConstraints=critical,CA:%s\\nkeyUsage=critical,%s\\nextendedKeyUsage=%s\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid' "${3:-false}" "$2" "$1"
}
subj="/C=NL/O=ZID Test VZVZ/CN=ZID Test VZVZ Registraties"
op () { # NAME EKU KU [DAYS | START END]
  local name=$1 eku=$2 ku=$3; shift 3
  [ -f "$dir/$name.key" ] || key "$dir/$name.key"
  issue "$dir/ca" "$dir/ca/sub.key" "$dir/ca/sub.pem" "$dir/$name.key" "$subj" \
    "$(signer_ext "$eku" "$ku" "${signer_ca:-false}")" "$dir/$name.pem" "$@"
}
op operator 1.3.6.1.5.5.7.3.36 digitalSignature,nonRepudiation
op smime emailProtection nonRepudiation
op expired 1.3.6.1.5.5.7.3.36 digitalSignature \
  "$(date -u -d '-400 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
op notyet 1.3.6.1.5.5.7.3.36 digitalSignature \
  "$(date -u -d '+300 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '+700 days' +%Y%m%d%H%M%SZ)"
op server-eku serverAuth digitalSignature
op no-ku 1.3.6.1.5.5.7.3.36 keyEncipherment
op revoked 1.3.6.1.5.5.7.3.36 digitalSignature
# The signer profile of §1/§3: key type and size, an end-entity certificate
key "$dir/p224.key" -algorithm EC -pkeyopt ec_paramgen_curve:P-224
op p224 1.3.6.1.5.5.7.3.36 digitalSignature
key "$dir/rsa2048.key" -algorithm RSA -pkeyopt rsa_keygen_bits:2048
op rsa2048 1.3.6.1.5.5.7.3.36 digitalSignature
key "$dir/rsa1024.key" -algorithm RSA -pkeyopt rsa_keygen_bits:1024
op rsa1024 1.3.6.1.5.5.7.3.36 digitalSignature
signer_ca=true op ca-signer 1.3.6.1.5.5.7.3.36 digitalSignature,keyCertSign
signer_ca=true op ca-nocertsign 1.3.6.1.5.5.7.3.36 digitalSignature

# CRLs: the root's (before the revocation), the signing CA's (current, stale)
mkdir -p "$dir/crl"
gencrl () { # CAKEY CACERT OUT [openssl ca options]
  local k=$1 c=$2 out=$3; shift 3
  openssl ca -config "$dir/ca/openssl.cnf" -gencrl -keyfile "$k" -cert "$c" -md sha256 "$@" -out "$out" 2>/dev/null
}
gencrl "$dir/ca/root.key" "$dir/ca/root.pem" "$dir/crl/root.crl" -crldays 30
openssl ca -config "$dir/ca/openssl.cnf" -keyfile "$dir/ca/sub.key" -cert "$dir/ca/sub.pem" \
  -revoke "$dir/revoked.pem" -crl_reason keyCompromise 2>/dev/null
gencrl "$dir/ca/sub.key" "$dir/ca/sub.pem" "$dir/crl/sub.crl" -crldays 30
gencrl "$dir/ca/sub.key" "$dir/ca/sub.pem" "$dir/crl/stale.crl" \
  -crl_lastupdate "$(date -u -d '-30 days' +%Y%m%d%H%M%SZ)" -crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"

new_ca "$dir/rogue" "/C=NL/O=Rogue/CN=Rogue Registraties CA"
key "$dir/rogue/operator.key"
issue "$dir/rogue" "$dir/rogue/root.key" "$dir/rogue/root.pem" "$dir/rogue/operator.key" "$subj" \
  "$(signer_ext 1.3.6.1.5.5.7.3.36 digitalSignature)" "$dir/rogue/operator.pem"

echo "$script_id" >"$dir/.done"
