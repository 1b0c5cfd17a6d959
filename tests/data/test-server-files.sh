#!/usr/bin/env bash
# The organisation server's operations files (data/server):
#   test-server-files.sh UNIT CONTAINERFILE CONF BINDIR
# - the unit passes `systemd-analyze verify` without a word (in a root
#   folder holding systemd's own units, the build's zorgid-admin at BINDIR
#   and its manual page) and `systemd-analyze security` rates it 2.0 or
#   less; exit 77 only when systemd-analyze is not installed (package
#   systemd);
# - the settings file is KEY=VALUE lines that systemd and --env-file read
#   alike;
# - the Containerfile: a Debian 12 base, a non-root user, the data dir a
#   volume and the unit's defaults, the unit's command line (with
#   /usr/bin), its COPY sources present, its meson options known, its
#   build packages build-aux/zid's (but the phone's and the validators'),
#   and its runtime packages providing every library zorgid-admin links to,
#   plus GIO's TLS. No image is built here (no registry to pull from).
# TAP output.
set -u

unit=$1 containerfile=$2 conf=$3 bindir=$4
src="${ZID_SOURCE_ROOT:?}"
admin="${ZID_BUILD_ROOT:?}/src/cli/zorgid-admin"
exec_py="$src/tests/data/server-exec.py"
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP systemd-analyze is not installed (package systemd)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
  [ "$1" = 0 ] || [ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 30 | sed 's/^/# /'
  return 0
}

# --- the unit
root="$dir/root"
mkdir -p "$root$bindir" "$root/etc/systemd/system" "$root/usr/lib/systemd" "$dir/man/man1"
cp -a /lib/systemd/system "$root/usr/lib/systemd/"
cp "$admin" "$root$bindir/zorgid-admin"
cp "$unit" "$root/etc/systemd/system/"
ln -s "$src/docs/man/zorgid-admin.1" "$dir/man/man1/"
name=$(basename "$unit")
out=$(MANPATH="$dir/man" systemd-analyze verify --root="$root" "/etc/systemd/system/$name" 2>&1)
status=$?
[ "$status" = 0 ] && [ -z "$out" ]; ok $? "systemd-analyze verify: no error, no warning" "exit $status: $out"
# and it would have said so
sed 's/^ProtectSystem=/ProtectSytem=/' "$unit" >"$root/etc/systemd/system/$name"
out=$(MANPATH="$dir/man" systemd-analyze verify --root="$root" "/etc/systemd/system/$name" 2>&1)
[[ $out == *"Unknown key"*ProtectSytem* ]]; ok $? "… which tells a misspelt key" "$out"
cp "$unit" "$root/etc/systemd/system/"
out=$(systemd-analyze security --offline=yes --root="$root" --threshold=20 "/etc/systemd/system/$name" 2>&1)
status=$?
[ "$status" = 0 ]; ok $? "systemd-analyze security: $(grep -o 'Overall exposure level.*' <<<"$out")" "$out"

mapfile -t unit_argv < <(/usr/bin/python3 "$exec_py" argv unit "$unit")
[ "${unit_argv[*]}" = "$bindir/zorgid-admin server run" ]
ok $? "the unit runs $bindir/zorgid-admin server run" "${unit_argv[*]}"
grep -qx 'User=zorgid-portaal' "$unit" && grep -q '^u zorgid-portaal ' "$src/data/server/zorgid-portaal.sysusers"
ok $? "the unit's user is the sysusers.d file's"

# --- the settings file
bad=$(grep -vnE '^(#.*|[A-Za-z_][A-Za-z0-9_]*=[^[:space:]"'"'"'\\]*|)$' "$conf")
[ -z "$bad" ]; ok $? "the settings file: KEY=VALUE without quotes, backslashes or spaces" "$bad"
for key in ZID_ENVIRONMENT ZID_DATABASE ZID_LISTEN ZID_DATA_DIR ZID_KEY_PROTECTION; do
  grep -q "^$key=." "$conf"; ok $? "the settings file sets $key"
done
grep -qx 'ZID_KEY_PROTECTION=file' "$conf"; ok $? "… ZID_KEY_PROTECTION=file (a server has no keyring)"

# --- the Containerfile
cf() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$containerfile" | tr -s ' '; }
grep -qx 'FROM docker.io/library/debian:12 AS build' "$containerfile" &&
  [ "$(grep -c '^FROM docker.io/library/debian:12' "$containerfile")" = 2 ]
ok $? "Containerfile: Debian 12 for the build and the image"
mapfile -t image_argv < <(/usr/bin/python3 "$exec_py" argv container "$containerfile")
[ "${image_argv[*]}" = "/usr/bin/zorgid-admin server run" ] &&
  [ "${unit_argv[*]#"$bindir"}" = "${image_argv[*]#/usr/bin}" ]
ok $? "Containerfile: ENTRYPOINT + CMD are the unit's command line" "${image_argv[*]} / ${unit_argv[*]}"
user=$(grep '^USER ' "$containerfile" | tail -n 1 | cut -d' ' -f2)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] && cf | grep -q "useradd --system --uid [0-9]* .*$user"
ok $? "Containerfile: runs as the system user $user" "$user"
volume=$(sed -n 's/^VOLUME //p' "$containerfile")
unit_data=$(sed -n 's|^Environment=ZID_DATA_DIR=%S|/var/lib|p' "$unit")
cf | grep -q "^ENV ZID_DATA_DIR=$volume ZID_KEY_PROTECTION=file$" && [ "$volume" = "$unit_data" ] &&
  grep -qx 'Environment=ZID_KEY_PROTECTION=file' "$unit" &&
  cf | grep -q "install -d -m 0700 -o $user -g $user $volume"
ok $? "Containerfile: the data dir $volume is the volume, 0700, and the unit's default, as ZID_KEY_PROTECTION" \
  "$(cf | grep '^ENV')"
missing=
for from in $(sed -n 's/^COPY \([^-][^ ]*\) .*/\1/p' "$containerfile"); do
  [ -e "$src/$from" ] || missing+=" $from"
done
[ -z "$missing" ]; ok $? "Containerfile: what it copies exists" "$missing"
unknown=
for opt in $(cf | grep -o ' -D[a-z_]*=' | sed 's/ -D\(.*\)=/\1/'); do
  grep -q "^option('$opt'" "$src/meson_options.txt" || unknown+=" $opt"
done
[ -z "$unknown" ]; ok $? "Containerfile: its meson options are the project's" "$unknown"

# packages: the stages' apt-get install lists
stage_packages() { cf | grep 'apt-get install' | sed -n "${1}p" | sed 's/.*--no-install-recommends //; s/ &&.*//' | tr ' ' '\n' | grep .; }
build_list=$(stage_packages 1)
runtime_list=$(stage_packages 2)
# shellcheck disable=SC2016
zid_build=$(sed -n '/^build_packages=(/,/^)/p' "$src/build-aux/zid" | sed '1d;$d' | tr ' ' '\n' | grep .)
missing=
for p in $zid_build; do
  case $p in libzbar-dev | desktop-file-utils | appstream | glib-networking) continue ;; esac
  grep -qx "$p" <<<"$build_list" || missing+=" $p"
done
[ -z "$missing" ]; ok $? "Containerfile: the build stage installs build-aux/zid's build packages" "missing:$missing"
missing=
while read -r lib path; do
  pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
  case $lib in libc.so.* | ld-linux*) continue ;; esac
  grep -qx "$pkg" <<<"$runtime_list" || missing+=" $lib($pkg)"
done < <(ldd "$admin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' |
           grep -F -f <(objdump -p "$admin" | awk '/NEEDED/ { print $2 }'))
[ -z "$missing" ] && grep -qx glib-networking <<<"$runtime_list"
ok $? "Containerfile: the image installs every library zorgid-admin links to, and glib-networking" "missing:$missing"

echo "1..$n"
