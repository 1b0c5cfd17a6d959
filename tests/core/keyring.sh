# keyring.sh — sourced by the tests that need a Secret Service: a private
# D-Bus session per name, each with its own home (so its own keyring, as
# another user would have; no keyring of the machine's user is touched),
# and gnome-keyring-daemon started there and unlocked with a test password.
#   session NAME COMMAND…   runs COMMAND in that session
#   unlocked COMMAND…       inside a session: the keyring unlocked, then COMMAND

session() {
  local name=$1; shift
  mkdir -p -m 0700 "$dir/$name/run" "$dir/$name/home"
  env HOME="$dir/$name/home" XDG_RUNTIME_DIR="$dir/$name/run" XDG_DATA_HOME="$dir/$name/home/data" \
      XDG_CONFIG_HOME="$dir/$name/home/config" XDG_CACHE_HOME="$dir/$name/home/cache" \
      dbus-run-session -- "$@"
}
unlocked() {
  printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  "$@"
}
export -f unlocked
