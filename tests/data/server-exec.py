#!/usr/bin/python3
"""Start the organisation server exactly as its systemd unit or its
Containerfile says, without systemd or a container engine.

  server-exec.py unit UNIT CONF STATE_ROOT BINDIR=BUILD_BINDIR
      The unit's ExecStart=, with the environment systemd gives it:
      Environment= lines (specifier %S = STATE_ROOT), then the
      EnvironmentFile= (which must name SYSCONFDIR/zorgid-portaal/server.conf;
      CONF is read instead), $VAR/${VAR} expanded in ExecStart, UMask=,
      working directory / . The program must lie in BINDIR; the one of
      the same name in BUILD_BINDIR is run.
  server-exec.py container CONTAINERFILE CONF ROOT
      ENTRYPOINT + CMD of the last stage, with its ENV and then CONF as
      `--env-file` gives it, in WORKDIR; the program is taken from ROOT
      (the build stage's install tree).
  server-exec.py argv unit UNIT | container CONTAINERFILE
      Print the command line (one word a line), unexpanded.

Both readers of CONF (systemd's EnvironmentFile=, the container tools'
--env-file) take KEY=VALUE lines; they agree only on values without
quotes, backslashes or spaces, so any other line is refused here.
"""

import json
import os
import re
import shlex
import sys

ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=([^\s\"'\\]*)$")


def die(msg):
    print(f"server-exec: {msg}", file=sys.stderr)
    sys.exit(1)


def read_conf(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith(("#", ";")):
                continue
            m = ENV_LINE.match(line)
            if not m:
                die(f"{path}:{n}: not KEY=VALUE without quotes, backslashes or spaces: {line}")
            env[m.group(1)] = m.group(2)
    return env


def read_unit(path):
    """{section: [(key, value), ...]} with continuation lines joined"""
    sections, section, pending = {}, None, ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip().startswith(("#", ";"))):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line, pending = pending + line, ""
            if line.startswith("["):
                section = line.strip("[] ")
                sections.setdefault(section, [])
                continue
            key, _, value = line.partition("=")
            sections[section].append((key.strip(), value.strip()))
    return sections


def specifiers(value, spec):
    def sub(m):
        c = m.group(1)
        if c == "%":
            return "%"
        if c not in spec:
            die(f"specifier %{c} not known to this test")
        return spec[c]

    return re.sub(r"%(.)", sub, value)


def expand_exec(words, env):
    """systemd: a word that is $VAR alone splits into words, ${VAR} is one word"""
    out = []
    for w in words:
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", w)
        if m:
            out.extend(env.get(m.group(1), "").split())
            continue
        out.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), w))
    return out


def unit_command(unit):
    sections = read_unit(unit)
    service = dict(sections.get("Service", []))
    execs = [v for k, v in sections.get("Service", []) if k == "ExecStart"]
    if len(execs) != 1:
        die(f"{unit}: {len(execs)} ExecStart= lines, wanted 1")
    line = execs[0].lstrip("@-:+!")
    return sections, service, shlex.split(line)


def container_command(path):
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    last = text.split("\nFROM ")[-1]
    entry, cmd, env, workdir = [], [], {}, "/"
    for line in last.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ENTRYPOINT":
            entry = json.loads(rest)
        elif word == "CMD":
            cmd = json.loads(rest)
        elif word == "WORKDIR":
            workdir = rest.strip()
        elif word == "ENV":
            for item in shlex.split(rest):
                k, _, v = item.partition("=")
                env[k] = v
    return entry + cmd, env, workdir


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "argv":
        argv = unit_command(args[2])[2] if args[1] == "unit" else container_command(args[2])[0]
        print("\n".join(argv))
        return 0
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    if len(args) == 5 and args[0] == "unit":
        unit, conf, state_root, bindirs = args[1:]
        bindir, _, build_bindir = bindirs.partition("=")
        sections, service, argv = unit_command(unit)
        env = dict(base)
        spec = {"S": state_root, "n": os.path.basename(unit)}
        # User=: what systemd sets for a service's user (its home: the data dir)
        env.update(HOME=os.path.join(state_root, "zorgid-portaal"), USER=service.get("User", ""),
                   LOGNAME=service.get("User", ""), SHELL="/usr/sbin/nologin",
                   STATE_DIRECTORY=os.path.join(state_root, "zorgid-portaal"))
        for k, v in sections["Service"]:
            if k == "Environment":
                for item in shlex.split(specifiers(v, spec)):
                    key, _, value = item.partition("=")
                    env[key] = value
        files = [v for k, v in sections["Service"] if k == "EnvironmentFile"]
        if len(files) != 1 or not files[0].endswith("/zorgid-portaal/server.conf"):
            die(f"{unit}: EnvironmentFile= {files}, wanted one …/zorgid-portaal/server.conf")
        env.update(read_conf(conf))
        argv = expand_exec([specifiers(w, spec) for w in argv], env)
        if os.path.dirname(argv[0]) != bindir:
            die(f"{unit}: ExecStart runs {argv[0]}, not a program of {bindir}")
        program = os.path.join(build_bindir, os.path.basename(argv[0]))
        os.makedirs(env["STATE_DIRECTORY"], mode=int(service.get("StateDirectoryMode", "0755"), 8),
                    exist_ok=True)
        os.umask(int(service.get("UMask", "0022"), 8))
        workdir = "/"
    elif len(args) == 4 and args[0] == "container":
        containerfile, conf, root = args[1:]
        argv, image_env, workdir = container_command(containerfile)
        env = dict(base)
        env.update(image_env)
        env.update(read_conf(conf))
        program = os.path.join(root, argv[0].lstrip("/"))
        workdir = os.path.join(root, workdir.lstrip("/"))
        os.makedirs(workdir, exist_ok=True)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"server-exec: {' '.join(shlex.quote(a) for a in argv)}", file=sys.stderr)
    os.chdir(workdir)
    os.execve(program, [argv[0]] + argv[1:], env)


if __name__ == "__main__":
    sys.exit(main())
