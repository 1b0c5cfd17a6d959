# bash completion for zorgid-admin                        -*- shell-script -*-
#
# Commands and subcommands from the tables below; a command's options, and
# the choices an option lists in its help (block reasons, attribute types),
# from `zorgid-admin COMMAND SUBCOMMAND --help`, which touches nothing.
#
# SPDX-License-Identifier: EUPL-1.2

_zorgid_admin_subcommands()
{
  case $1 in
    registration) echo "add list sign inspect import complete" ;;
    organisation) echo "bootstrap list inactive" ;;
    user) echo "register import list pending show block unblock" ;;
    membership) echo "set" ;;
    attribute) echo "add" ;;
    certificate) echo "list revoke new crl ca" ;;
    audit) echo "list verify" ;;
    config) echo "get set" ;;
    card) echo "inspect status verify" ;;
    service) echo "run" ;;
    server) echo "run connection-code" ;;
    trust) echo "list add remove" ;;
  esac
}

_zorgid_admin()
{
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n = || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="overview registration organisation user membership attribute
                  certificate audit config card service server trust backup restore doctor
                  login logout"
  local globals="--data-dir --database --environment --server --json --help --version"

  # The value of an option
  local option=$prev
  if [[ $prev == = ]]; then
    option=${words[cword - 2]}
  elif [[ $cur == --*=* ]]; then
    option=${cur%%=*}
    cur=${cur#*=}
  fi
  case $option in
    --environment)
      COMPREPLY=($(compgen -W "acceptatie productie" -- "$cur")); return ;;
    --data-dir|--trust)
      COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --qr-png|--in|--key|--cert|--chain|--out|--pin-file|--module|--letters)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --kind)
      COMPREPLY=($(compgen -W "uzi operator" -- "$cur")); return ;;
    --role)
      COMPREPLY=($(compgen -W "Administrator Beheerder Gebruiker" -- "$cur")); return ;;
  esac

  # The command and subcommand given so far (global options and their
  # values skipped)
  local i word command="" sub=""
  for ((i = 1; i < cword; i++)); do
    word=${words[i]}
    case $word in
      --data-dir|--database|--environment|--server|=) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z $command ]]; then
      command=$word
    elif [[ -z $sub && -n $(_zorgid_admin_subcommands "$command") ]]; then
      sub=$word
      break
    fi
  done

  local program=${words[0]:-zorgid-admin}
  local path="$command${sub:+ $sub}"

  # A choice listed in the option's help: "--reason=REASON   a|b|c"
  if [[ $option == --* && -n $command ]]; then
    local choices
    choices=$("$program" $path --help 2>/dev/null |
              sed -n "s/^ *${option}=[A-Z_]* *\([a-z][a-z-]*\(|[a-z][a-z-]*\)\{1,\}\)$/\1/p" | tr '|' ' ')
    if [[ -n $choices ]]; then
      COMPREPLY=($(compgen -W "$choices" -- "$cur"))
      return
    fi
  fi

  if [[ $cur == -* ]]; then
    local options=$globals
    if [[ -n $command ]]; then
      options+=" $("$program" $path --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*')"
    fi
    COMPREPLY=($(compgen -W "$(printf '%s\n' $options | sort -u)" -- "$cur"))
    return
  fi

  if [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  elif [[ -z $sub && -n $(_zorgid_admin_subcommands "$command") ]]; then
    COMPREPLY=($(compgen -W "$(_zorgid_admin_subcommands "$command")" -- "$cur"))
  elif [[ $command == backup || $command == restore ]]; then
    # a backup is a folder
    COMPREPLY=($(compgen -d -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
} &&
  complete -F _zorgid_admin zorgid-admin
