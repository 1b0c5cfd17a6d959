#!/usr/bin/env bash
# The installed application in a sandbox laid out as Flatpak lays it out
# (TAP): the application under its prefix (/app in the Flatpak), the host's
# /usr read-only, no host /etc/pkcs11, $HOME a fresh ~/.var/app/APP-ID
# with XDG_DATA_HOME under it, the pcscd socket bound in when there is one,
# --unshare-all --share-net. Trust added with `zorgid-admin trust add`
# inside it is used by `card inspect` and `doctor` inside it, after the
# file it came from is gone: no host path is needed.
#
# Exits 77 (skip) only when bwrap cannot create namespaces here.
set -u
build=${ZID_BUILD_ROOT:?}
pki=${ZID_TEST_PKI:?}
app_id=nl.zorgid.Portaal
py=/usr/bin/python3

n=0; failed=0
ok () { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check () { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; echo "# out: $out" | head -c 2000; echo; echo "# err: $(head -c 2000 "$tmp/stderr")"; fi; }
json_get () { printf '%s' "$1" | "$py" -c 'import json,sys; j=json.load(sys.stdin); v='"$2"'; print(v if not isinstance(v,bool) else str(v).lower())'; }

command -v bwrap >/dev/null || { echo "Bail out! bwrap not installed (Debian package bubblewrap)"; exit 1; }
if ! bwrap --ro-bind / / --unshare-all --share-net true 2>/dev/null; then
  echo "1..0 # SKIP bwrap cannot create namespaces here"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zid-sandbox.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The installed tree, as a package or the Flatpak installs it
meson install -C "$build" --destdir "$tmp/dest" --quiet >/dev/null 2>"$tmp/install.err" ||
  { echo "Bail out! meson install failed: $(head -c 500 "$tmp/install.err")"; exit 1; }
prefix=$(meson introspect "$build" --buildoptions | "$py" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
[ -x "$tmp/dest$prefix/bin/zorgid-admin" ] || { echo "Bail out! no zorgid-admin under $prefix"; exit 1; }

home=$tmp/home/.var/app/$app_id
mkdir -p "$home/data" "$home/config" "$home/cache" "$tmp/doc"

# run_sandboxed [BWRAP-ARGS...] -- ARGS...: zorgid-admin ARGS inside; sets out, rc
run_sandboxed () {
  local extra=()
  while [ "$1" != -- ]; do extra+=("$1"); shift; done
  shift
  local pcscd=()
  [ -S /run/pcscd/pcscd.comm ] && pcscd=(--ro-bind /run/pcscd /run/pcscd)
  rc=0
  out=$(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
    bwrap --unshare-all --share-net --die-with-parent \
      --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
      --symlink usr/bin /bin --symlink usr/sbin /sbin \
      --ro-bind "$tmp/dest$prefix" "$prefix" \
      --ro-bind "$tmp/dest$prefix" /app \
      --dir /etc --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group \
      --ro-bind-try /etc/ssl /etc/ssl --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache \
      --proc /proc --dev /dev --tmpfs /tmp --dir /run/user/1000 \
      "${pcscd[@]}" \
      --bind "$home" "/home/user/.var/app/$app_id" \
      --setenv HOME /home/user \
      --setenv XDG_DATA_HOME "/home/user/.var/app/$app_id/data" \
      --setenv XDG_CONFIG_HOME "/home/user/.var/app/$app_id/config" \
      --setenv XDG_CACHE_HOME "/home/user/.var/app/$app_id/cache" \
      --setenv FLATPAK_ID "$app_id" \
      "${extra[@]}" \
      "$prefix/bin/zorgid-admin" "$@" 2>"$tmp/stderr") || rc=$?
}

# The layout itself
run_sandboxed --ro-bind "$tmp/doc" /run/user/1000/doc -- --json overview
check "runs in the sandbox" [ "$rc" = 0 ]
out=$(bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin \
  --dir /etc --proc /proc --dev /dev sh -c 'test -e /etc/pkcs11 && echo host-pkcs11 || echo none' 2>&1)
check "no host /etc/pkcs11 in the sandbox" [ "$out" = none ]

# Built-in trust from the installed tree, no variable pointing at it
run_sandboxed -- --json trust list --kind uzi
check "acceptatie: the installed built-in UZI-Test chain" [ "$rc" = 0 ] && [ "$(json_get "$out" '" ".join(sorted(set(str(e["builtin"]) for e in j["trust"]))) + " %d" % len(j["trust"])')" = "true 3" ]

# Productie: nothing trusted yet
run_sandboxed -- --environment productie --json doctor --no-card --port 0
check "productie: doctor says no UZI trust" [ "$rc" = 1 ] && [ "$(json_get "$out" '[c["state"] for c in j["checks"] if c["id"] == "uzi-trust"][0]')" = failed ]
cp "$pki/corpus/valid-Z.pem" "$tmp/doc/card.pem"
run_sandboxed --ro-bind "$tmp/doc" /run/user/1000/doc -- --environment productie --json card inspect /run/user/1000/doc/card.pem
check "productie: card not checked without trust" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = false ]

# Add the root the way the portal hands a chosen file in: a document path
cp "$pki/trust/root.pem" "$tmp/doc/uzi-root.pem"
cp "$pki/trust/sub.pem" "$tmp/doc/uzi-sub.pem"
run_sandboxed --ro-bind "$tmp/doc" /run/user/1000/doc -- --environment productie --json trust add --kind uzi /run/user/1000/doc/uzi-root.pem /run/user/1000/doc/uzi-sub.pem
check "trust add inside the sandbox" [ "$rc" = 0 ]
stored=$(ls "$home/data/zorgid-portaal/productie/uzi-trust/" 2>/dev/null)
check "copied under ~/.var/app/$app_id/data, 0600" [ "$(wc -w <<<"$stored")" = 2 ] && [ "$(cd "$home/data/zorgid-portaal/productie/uzi-trust" && stat -c %a $stored | sort -u)" = 600 ]
rm "$tmp/doc/uzi-root.pem" "$tmp/doc/uzi-sub.pem"

# Used afterwards, with the original file gone
run_sandboxed --ro-bind "$tmp/doc" /run/user/1000/doc -- --environment productie --json card inspect /run/user/1000/doc/card.pem
check "card inspect in the sandbox uses the added trust" [ "$rc" = 0 ] && [ "$(json_get "$out" 'j["chain_validated"]')" = true ]
cp "$pki/corpus/rogue.pem" "$tmp/doc/rogue.pem"
run_sandboxed --ro-bind "$tmp/doc" /run/user/1000/doc -- --environment productie --json card inspect /run/user/1000/doc/rogue.pem
check "a card of another CA is refused there" [ "$rc" = 1 ] && [ "$(json_get "$out" 'j["error"]')" = untrusted ]
run_sandboxed -- --environment productie --json doctor --no-card --port 0
check "doctor in the sandbox: UZI trust ok" [ "$(json_get "$out" '[c["state"] for c in j["checks"] if c["id"] == "uzi-trust"][0]')" = ok ]
run_sandboxed -- --json trust list --kind uzi
check "acceptatie does not see productie's added root" [ "$(json_get "$out" 'sum(not e["builtin"] for e in j["trust"])')" = 0 ]

echo "1..$n"
[ "$failed" = 0 ]
