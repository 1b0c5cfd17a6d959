#!/bin/bash
# The host-to-sandbox PKCS#11 forwarding of docs/smartcards.md, end to end
# with real parts: pkcs11/zorgid-pkcs11-forward serves a SoftHSM token
# through `p11-kit server`; a p11-kit client that sees only what the Flatpak
# sandbox sees (its XDG_CONFIG_HOME, the shared runtime dir) must list that
# token through the module config the helper wrote, also from inside a
# bwrap tree laid out as Flatpak does.  Then the helper is stopped and must
# remove its config again.  Its systemd user service: checked by
# systemd-analyze, its ExecStart line run and stopped as systemd would
# (systemd --user cannot run in a container without a booted systemd), and
# --enable/--disable against a recording systemctl.
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

# The sandbox's view in a tree laid out as Flatpak does: the host's /usr
# read-only, no host /etc/pkcs11, HOME with ~/.var/app/<id>, only the
# app's runtime directory shared.
if command -v bwrap >/dev/null 2>&1 && bwrap --ro-bind / / --unshare-all true 2>/dev/null; then
  mkdir -p "$tmp/home/.var/app/nl.zorgid.Portaal"
  [ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$tmp/home"
  listing=$("${as_user[@]}" env -i PATH=/usr/bin:/bin \
    bwrap --unshare-all --die-with-parent \
      --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
      --symlink usr/bin /bin --symlink usr/sbin /sbin \
      --dir /etc --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group \
      --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache \
      --proc /proc --dev /dev --tmpfs /tmp \
      --bind "$tmp/run/app/nl.zorgid.Portaal" "$tmp/run/app/nl.zorgid.Portaal" \
      --bind "$tmp/sandbox-config" /home/user/.var/app/nl.zorgid.Portaal/config \
      --setenv HOME /home/user --setenv XDG_RUNTIME_DIR "$tmp/run" \
      --setenv XDG_CONFIG_HOME /home/user/.var/app/nl.zorgid.Portaal/config \
      --setenv FLATPAK_ID nl.zorgid.Portaal \
      p11-kit list-modules 2>&1)
  if awk '/^zorgid-host:/{m=1; next} /^[^ ]/{m=0} m && /token: zid-forward-test/{f=1} END{exit !f}' <<<"$listing"; then
    echo "ok: inside the bwrap tree laid out as Flatpak does, the forwarded token is listed"
  else
    echo "not ok: the forwarded token is not seen inside the bwrap tree:"; echo "$listing"; exit 1
  fi

  # The application's own view there (zorgid-admin doctor, as the window's
  # Controle page): it loads the forwarded module.  /.flatpak-info makes it
  # take itself for the Flatpak, so its one-time command is the Flatpak's.
  admin="${ZID_BUILD_ROOT:-}/src/cli/zorgid-admin"
  doctor_env=()
  if [ -x "$admin" ]; then
    doctor() {
      "${as_user[@]}" env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 ZID_KEY_PROTECTION=file "${doctor_env[@]}" \
        bwrap --unshare-all --die-with-parent \
          --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
          --symlink usr/bin /bin --symlink usr/sbin /sbin \
          --dir /etc --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group \
          --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache \
          --ro-bind /dev/null /.flatpak-info \
          --proc /proc --dev /dev --tmpfs /tmp \
          --ro-bind "$ZID_BUILD_ROOT" "$ZID_BUILD_ROOT" \
          --bind "$tmp/run/app/nl.zorgid.Portaal" "$tmp/run/app/nl.zorgid.Portaal" \
          --bind "$tmp/sandbox-config" /home/user/.var/app/nl.zorgid.Portaal/config \
          --setenv HOME /home/user --setenv XDG_RUNTIME_DIR "$tmp/run" \
          --setenv XDG_CONFIG_HOME /home/user/.var/app/nl.zorgid.Portaal/config \
          --setenv XDG_DATA_HOME /tmp/data \
          "$admin" --json doctor --port 0 "$@" 2>/dev/null || true
    }
    pkcs11_check=$(doctor | /usr/bin/python3 -c 'import json, sys
print(next(c["description"] for c in json.load(sys.stdin)["checks"] if c["id"] == "pkcs11"))')
    # The forwarded module has no file of its own: said so, never "(null)"
    if grep -qF 'zorgid-host (forwarded from the host via p11-kit)' <<<"$pkcs11_check" &&
       ! grep -qF '(null)' <<<"$pkcs11_check"; then
      echo "ok: zorgid-admin doctor inside the bwrap tree loads the forwarded module: $pkcs11_check"
    else
      echo "not ok: the application inside the bwrap tree does not load zorgid-host: $pkcs11_check"; exit 1
    fi
  else
    echo "# $admin not built: the application's view was not checked"
  fi
else
  echo "# bwrap cannot create namespaces here: the Flatpak layout was not checked"
fi

# Its output is for people: no shell assignments of p11-kit server.
if grep -q 'P11_KIT_SERVER' "$tmp/helper.out" "$tmp/helper.err"; then
  echo "not ok: the helper shows p11-kit's variable assignments:"; cat "$tmp/helper.out" "$tmp/helper.err"; exit 1
fi
grep -q 'ZORG-ID Portaal' "$tmp/helper.err" || { echo "not ok: the helper says nothing a person can act on"; exit 1; }
echo "ok: the helper's output is sentences, not p11-kit's variables"

kill "$helper_pid"
wait "$helper_pid" || true
helper_pid=
if [ -e "$config" ] || [ -e "$socket" ]; then
  echo "not ok: the helper left $config or $socket behind"; exit 1
fi
echo "ok: stopping the helper removes the config and the socket"

# Without any module (no host registrations, nothing forwarded), the
# application in the Flatpak shows the one-time command of this install.
if [ "$(type -t doctor)" = function ]; then
  doctor_env=(ZID_PKCS11_REGISTERED=0)
  command=$(doctor | /usr/bin/python3 -c 'import json, sys
print(next(c.get("command") or "" for c in json.load(sys.stdin)["checks"] if c["id"] == "pkcs11"))')
  doctor_env=()
  case "$command" in
    '"$(flatpak info --show-location nl.zorgid.Portaal)/files/share/zorgid-portaal/pkcs11/zorgid-pkcs11-forward" --enable'*)
      echo "ok: in the Flatpak without a module, the readiness check shows the one-time command: $command" ;;
    *) echo "not ok: no one-time --enable command in the Flatpak: $command"; exit 1 ;;
  esac
fi

# The systemd user service --enable installs.
unit="$tmp/zorgid-pkcs11-forward.service"
"${as_user[@]}" env "${env_common[@]}" "$helper" --print-unit --module "$softhsm" >"$unit"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "$exec_start" = "$helper --module $softhsm" ] || {
  echo "not ok: ExecStart is not the helper with the module: $exec_start"; exit 1; }
grep -qx 'WantedBy=default.target' "$unit" || { echo "not ok: the service does not start at login"; exit 1; }
if command -v systemd-analyze >/dev/null 2>&1; then
  chmod 0644 "$unit"
  if "${as_user[@]}" env "${env_common[@]}" systemd-analyze --user verify "$unit" >"$tmp/verify.out" 2>&1; then
    echo "ok: systemd-analyze --user verify accepts the service"
  else
    echo "not ok: systemd-analyze rejects the service:"; cat "$tmp/verify.out"; exit 1
  fi
fi

# Started as systemd starts it (its ExecStart line), stopped with SIGTERM.
# shellcheck disable=SC2086
"${as_user[@]}" env "${env_common[@]}" $exec_start >/dev/null 2>"$tmp/unit.err" &
helper_pid=$!
for _ in $(seq 1 100); do
  [ -S "$socket" ] && [ -f "$config" ] && break
  sleep 0.1
done
listing=$("${as_user[@]}" env -u P11_KIT_SERVER_ADDRESS \
  HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/sandbox-config" \
  p11-kit list-modules 2>&1)
awk '/^zorgid-host:/{m=1; next} /^[^ ]/{m=0} m && /token: zid-forward-test/{f=1} END{exit !f}' <<<"$listing" || {
  echo "not ok: the service's ExecStart does not forward the token:"; echo "$listing"; cat "$tmp/unit.err"; exit 1; }
kill -TERM "$helper_pid"
wait "$helper_pid" || true
helper_pid=
[ ! -e "$config" ] && [ ! -e "$socket" ] || { echo "not ok: the service left its config behind"; exit 1; }
echo "ok: the service's ExecStart forwards the token; SIGTERM (systemctl stop) cleans up"

# --enable / --disable, with a systemctl that records what it is asked.
mkdir -p "$tmp/bin" "$tmp/user-config"
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$tmp/systemctl.log" >"$tmp/bin/systemctl"
chmod 0755 "$tmp/bin/systemctl" "$tmp/bin"
touch "$tmp/systemctl.log"; chmod 0666 "$tmp/systemctl.log"
[ "$(id -u)" = 0 ] && chown nobody:nogroup "$tmp/user-config"
"${as_user[@]}" env "${env_common[@]}" PATH="$tmp/bin:$PATH" XDG_CONFIG_HOME="$tmp/user-config" \
  "$helper" --enable --module "$softhsm" 2>"$tmp/enable.err"
installed="$tmp/user-config/systemd/user/zorgid-pkcs11-forward.service"
cmp -s "$installed" "$unit" || { echo "not ok: --enable did not install the service"; cat "$tmp/enable.err"; exit 1; }
grep -qxF -- '--user enable zorgid-pkcs11-forward.service' "$tmp/systemctl.log" &&
  grep -qxF -- '--user restart zorgid-pkcs11-forward.service' "$tmp/systemctl.log" || {
  echo "not ok: --enable did not enable and start it:"; cat "$tmp/systemctl.log"; exit 1; }
grep -q 'every login' "$tmp/enable.err" || { echo "not ok: --enable does not say what it did"; exit 1; }
"${as_user[@]}" env "${env_common[@]}" PATH="$tmp/bin:$PATH" XDG_CONFIG_HOME="$tmp/user-config" \
  "$helper" --disable 2>/dev/null
[ ! -e "$installed" ] && grep -qxF -- '--user disable --now zorgid-pkcs11-forward.service' "$tmp/systemctl.log" || {
  echo "not ok: --disable did not stop and remove the service"; exit 1; }
echo "ok: --enable installs, enables and starts the service; --disable removes it"

# Inside a Flatpak deployment the service finds the current one at start.
deploy="$tmp/flatpak/app/nl.zorgid.Portaal/x86_64/stable/0123abcd/files/share/zorgid-portaal/pkcs11"
mkdir -p "$deploy/modules"
cp "$helper" "$src/pkcs11/zorgid-pkcs11-forward.service.in" "$deploy/"
cp "$src/pkcs11/zorgid-host.module.in" "$deploy/modules/"
flatpak_start=$(env "${env_common[@]}" "$deploy/zorgid-pkcs11-forward" --print-unit | sed -n 's/^ExecStart=//p')
case "$flatpak_start" in
  *'$$(flatpak info --show-location nl.zorgid.Portaal)/files/share/zorgid-portaal/pkcs11/zorgid-pkcs11-forward'*) ;;
  *) echo "not ok: in a Flatpak deployment ExecStart names a path that changes with updates: $flatpak_start"; exit 1 ;;
esac
echo "ok: in a Flatpak deployment the service asks flatpak for the current path"
