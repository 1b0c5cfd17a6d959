# test-cli-lib.sh — TAP helpers for the `zorgid-admin card` tests (sourced)
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check () { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
finish () { echo "1..$n"; [ "$failed" = 0 ]; }

admin=${ZID_BUILD_ROOT:?ZID_BUILD_ROOT not set}/src/cli/zorgid-admin
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# json_get JSON EXPR: prints the value of a Python expression on j
json_get () { printf '%s' "$1" | "$py" -c 'import json,sys; j=json.load(sys.stdin); v='"$2"'; print(v if not isinstance(v,bool) else str(v).lower())'; }

# run_admin ARGS...: sets out and rc
run_admin () { rc=0; out=$("$admin" "$@" 2>"$tmp/stderr") || rc=$?; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
