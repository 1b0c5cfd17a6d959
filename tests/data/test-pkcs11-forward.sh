#!/bin/bash
# The host-to-sandbox PKCS#11 forwarding of docs/smartcards.md, end to end
# with real parts: pkcs11/zorgid-pkcs11-forward serves a SoftHSM token
# through `p11-kit server`; a p11-kit client that sees only what the Flatpak
# sandbox sees (its XDG_CONFIG_HOME, the shared runtime dir) must list that
# token through the module config the helper wrote.  Then the helper is
# stopped and must remove its config again.
set -euo pipefail

src="${ZID_SOURCE_ROOT:?ZID_SOURCE_ROOT is set by tests/meson.build}"
helper="$src/pkcs11/zorgid-pkcs11-forward"

for tool in p11-kit softhsm2-util setpriv; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (packages p11-kit, softhsm2, util-linux)" >&2
    exit 77
  fi
done
softhsm=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
  if [ -f "$m" ]; then softhsm="$m"; break; fi
done
if [ -z "$softhsm" ]; then
  echo "SKIP: libsofthsm2.so not found (package softhsm2)" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-fwd.XXXXXX")
helper_pid=
cleanup() {
  if [ -n "$helper_pid" ]; then kill "$helper_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# p11-kit ignores user configs in programs running as root, and the sandbox
# never runs as root: when the test runs as root (CI), both sides run as
# nobody, like an administrator's session.
as_user=()
if [ "$(id -u)" = 0 ]; then
  chmod 0755 "$tmp"
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
mkdir -p "$tmp/run" "$tmp/home" "$tmp/sandbox-config" "$tmp/tokens"
chmod 0700 "$tmp/run"
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$tmp/run" "$tmp/home" "$tmp/sandbox-config" "$tmp/tokens"

cat > "$tmp/softhsm2.conf" <<EOF
directories.tokendir = $tmp/tokens
objectstore.backend = file
log.level = ERROR
EOF
chmod 0644 "$tmp/softhsm2.conf"

env_common=(
  HOME="$tmp/home"
  XDG_RUNTIME_DIR="$tmp/run"
  SOFTHSM2_CONF="$tmp/softhsm2.conf"
  ZID_SANDBOX_CONFIG_HOME="$tmp/sandbox-config"
)

"${as_user[@]}" env "${env_common[@]}" softhsm2-util --init-token --free \
  --label zid-forward-test --pin 123456 --so-pin 12345678 >/dev/null

config="$tmp/sandbox-config/pkcs11/modules/zorgid-host.module"
socket="$tmp/run/app/nl.zorgid.Portaal/pkcs11-host"

# --print-config renders the template with the per-user socket path.
printed=$("${as_user[@]}" env "${env_common[@]}" "$helper" --print-config)
grep -qx "remote: unix:path=$socket" <<<"$printed" || {
  echo "not ok: --print-config does not point at $socket:"; echo "$printed"; exit 1; }
echo "ok: --print-config points at the shared runtime dir"

# A module that does not exist is refused before anything is written.
if "${as_user[@]}" env "${env_common[@]}" "$helper" --module "$tmp/missing.so" 2>/dev/null; then
  echo "not ok: a missing module was accepted"; exit 1
fi
[ ! -e "$config" ] || { echo "not ok: config written for a missing module"; exit 1; }
echo "ok: a missing module is refused"

"${as_user[@]}" env "${env_common[@]}" "$helper" --module "$softhsm" \
  >"$tmp/helper.out" 2>"$tmp/helper.err" &
helper_pid=$!

for _ in $(seq 1 100); do
  [ -S "$socket" ] && [ -f "$config" ] && break
  sleep 0.1
done
if ! [ -S "$socket" ] || ! [ -f "$config" ]; then
  echo "not ok: the helper did not start:"; cat "$tmp/helper.err"; exit 1
fi
echo "ok: the helper serves $socket and wrote $config"

# The sandbox's view: XDG_CONFIG_HOME is ~/.var/app/<id>/config there.
listing=$("${as_user[@]}" env -u P11_KIT_SERVER_ADDRESS \
  HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/sandbox-config" \
  p11-kit list-modules 2>&1)
if awk '/^zorgid-host:/{m=1; next} /^[^ ]/{m=0} m && /token: zid-forward-test/{f=1} END{exit !f}' <<<"$listing"; then
  echo "ok: the sandbox side lists the host token through zorgid-host"
else
  echo "not ok: token zid-forward-test not reached through zorgid-host:"
  echo "$listing"
  cat "$tmp/helper.err"
  exit 1
fi

kill "$helper_pid"
wait "$helper_pid" || true
helper_pid=
if [ -e "$config" ] || [ -e "$socket" ]; then
  echo "not ok: the helper left $config or $socket behind"; exit 1
fi
echo "ok: stopping the helper removes the config and the socket"
