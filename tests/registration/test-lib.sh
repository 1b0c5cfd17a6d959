# test-lib.sh — TAP helpers for the registration tests (sourced)
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check () { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; echo "# out: $out" | head -c 2000; echo; echo "# err: $(cat "$tmp/stderr" 2>/dev/null)" | head -c 2000; echo; fi; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
finish () { echo "1..$n"; [ "$failed" = 0 ]; }

admin=${ZID_BUILD_ROOT:?ZID_BUILD_ROOT not set}/src/cli/zorgid-admin
[ -x "$admin" ] || { echo "1..0 # SKIP zorgid-admin not built"; exit 0; }
py=/usr/bin/python3
[ -x "$py" ] || py=python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# json_get JSON EXPR: prints the value of a Python expression on j
json_get () { printf '%s' "$1" | "$py" -c 'import json,sys; j=json.load(sys.stdin); v='"$2"'; print(v if not isinstance(v,bool) else str(v).lower())'; }

# run_admin ARGS...: sets out, err and rc
run_admin () { rc=0; out=$("$admin" --data-dir "$data" "$@" 2>"$tmp/stderr") || rc=$?; err=$(cat "$tmp/stderr"); }

# sql QUERY: against the data dir's store
sql () { sqlite3 "$data/zorgid.db" "$1"; }

# refused NAME CODE STATUS PATTERN: the last run_admin was refused so
refused () {
  check "$1: exit $3" [ "$rc" = "$3" ]
  check "$1: error $2" [ "$(json_get "$out" 'j["error"]' 2>/dev/null)" = "$2" ]
  check "$1: message says “$4”" grep -q -- "$4" <<<"$out"
}
