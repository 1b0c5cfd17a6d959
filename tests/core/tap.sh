# tap.sh — sourced by the command-line tests of tests/core: the build's
# zorgid-admin, a temporary folder removed on exit, and TAP lines.
# `ok STATUS DESCRIPTION [DIAGNOSTIC]`; end with `echo "1..$n"`.

admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP no sqlite3 shell"; exit 0; }
dir=${ZID_TEST_DIR:-$(mktemp -d)}
trap 'rm -rf "$dir"' EXIT
n=0

ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
  return 0
}

# The data dir $1 after crashes: the database passes integrity_check, and
# the audit chain and the seal over the data verify
store_intact() {
  local check out
  check=$(sqlite3 "$1/zorgid.db" "PRAGMA integrity_check" 2>&1)
  [ "$check" = ok ]; ok $? "PRAGMA integrity_check" "$check"
  out=$("$admin" --data-dir "$1" --json audit verify 2>&1)
  [ "$out" = '{"intact":true}' ]; ok $? "audit verify: the chain and the seal are intact" "$out"
}
