#!/usr/bin/env bash
# bash completion for zorgid-admin: sourced as bash-completion would, it
# completes commands, subcommands, options, environments, block reasons
# and roles. TAP output.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

PATH="$ZID_BUILD_ROOT/src/cli:$PATH"
[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
. "${ZID_SOURCE_ROOT:?}/src/cli/zorgid-admin.bash"

complete -p zorgid-admin 2>/dev/null | grep -q _zorgid_admin
ok $? "the completion registers for zorgid-admin"

# $1: the expected completions (sorted, space-separated); the rest: the
# words of the line, the last one being completed
expect() {
  local want=$1 got
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _zorgid_admin
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ]; ok $? "“$*” completes to “$want”" "got: $got"
}

expect "user" zorgid-admin us
expect "login logout" zorgid-admin lo
expect "connection-code" zorgid-admin server co
expect "server service" zorgid-admin --server "zorgid://server?v=1" se
expect "card certificate config" zorgid-admin c
expect "block" zorgid-admin user bl
expect "block" zorgid-admin --json user b
expect "ca crl" zorgid-admin --data-dir /tmp certificate c
expect "remove" zorgid-admin --environment productie trust re
expect "acceptatie productie" zorgid-admin --environment ""
expect "productie" zorgid-admin --environment pro
expect "breach-of-trust compromised-credentials lost-smartphone security-incident suspicious-activity" \
  zorgid-admin user block 3 --reason ""
expect "lost-smartphone" zorgid-admin user block --as 1 3 --reason lo
expect "--reason" zorgid-admin user block --r
expect "--first-name" zorgid-admin user register --fi
expect "--data-dir --database --dry-run" zorgid-admin user import --d
expect "--version" zorgid-admin --vers
expect "operator uzi" zorgid-admin trust add --kind ""
expect "Administrator Beheerder Gebruiker" zorgid-admin membership set 2 --role ""
expect "agb big taak uzi" zorgid-admin attribute add 2 --type ""
expect "backup" zorgid-admin ba
expect "restore" zorgid-admin rest
expect "--force" zorgid-admin restore --f

echo "1..$n"
