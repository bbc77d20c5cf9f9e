"""File commands and shell builtins (toybox/mksh behaviour): echo, cat, ls, rm, mkdir, touch, cp, mv, date,
whoami, id, sleep, true/:, false, exit, cd, pwd, export/unset, sh, test/[, and chmod/chown/sync/restorecon as
no-ops. Text tools (grep, head, tail, wc, printf) are in ``cmd_text``."""

from __future__ import annotations

import posixpath
import re
import stat
import time

from ..fs import ALIASES, FsError
from .interp import SH, CommandFn, ExitShell, Proc, registrar, unlocked

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


def flags(args: list[str], known: str) -> tuple[set[str], list[str]]:
    """Split leading ``-abc`` flags (letters in ``known``) from operands; ``--`` ends flags."""
    found: set[str] = set()
    i = 0
    while i < len(args) and args[i].startswith("-") and len(args[i]) > 1:
        if args[i] == "--":
            i += 1
            break
        if not set(args[i][1:]) <= set(known):
            break
        found |= set(args[i][1:])
        i += 1
    return found, args[i:]


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "0": "\0"}


def unescape(s: str) -> str:
    return re.sub(r"\\([ntr\\abe0])", lambda m: _ESCAPES[m.group(1)], s)


@command("echo")
def echo(p: Proc, args: list[str]) -> int:
    opts, rest = flags(args, "neE")
    text = " ".join(rest)
    if "e" in opts:
        text = unescape(text)
    p.out(text + ("" if "n" in opts else "\n"))
    return 0


@command("cat")
def cat(p: Proc, args: list[str]) -> int:
    _, files = flags(args, "uvAet")
    if not files:
        p.out(p.stdin)
        return 0
    status = 0
    for name in files:
        if name == "-":
            p.out(p.stdin)
            continue
        try:
            p.out(p.fs.read(p.path(name)))
        except FsError as e:
            status = p.fail(f"cat: {name}: {e}")
    return status


def _ls_line(p: Proc, path: str, name: str) -> str:
    entry = p.fs.stat(path)
    mode = stat.filemode(entry.mode)  # "drwxrwx--x", "-rw-rw----", "crw-rw-rw-"
    kind, perms = mode[0], mode[1:]
    group = "sdcard_rw" if path.startswith("/storage/") else "root"
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime(entry.mtime))
    return f"{kind}{perms} {2 if entry.is_dir else 1} root {group} {entry.size:>5} {stamp} {name}"


@command("ls")
def ls(p: Proc, args: list[str]) -> int:
    opts, paths = flags(args, "laA1dRhtrs")
    paths = paths or ["."]
    status = 0
    headed = len(paths) > 1 or "R" in opts  # toybox names each directory when there are several
    first = True
    for name in paths:
        path = p.path(name)
        if not p.fs.exists(path):
            status = p.fail(f"ls: {name}: No such file or directory")
            continue
        if not p.fs.isdir(path) or "d" in opts:
            p.out((_ls_line(p, path, name) if "l" in opts else name) + "\n")
            continue
        for label, folder in _ls_dirs(p, name, path, "R" in opts, hidden=bool(opts & {"a", "A"})):
            if headed:
                p.out(("" if first else "\n") + f"{label}:\n")
            first = False
            _ls_dir(p, folder, opts)
    return status


def _ls_dirs(p: Proc, label: str, path: str, recursive: bool, hidden: bool) -> list[tuple[str, str]]:
    """The directory itself, then (``-R``) every directory below it, depth first, as ``(label, path)``. Aliases
    such as ``/sdcard`` are symbolic links on Android, which ``ls -R`` lists but does not follow."""
    found = [(label, path)]
    if recursive:
        for n in p.fs.listdir(path):
            child = posixpath.join(path, n)
            if (hidden or not n.startswith(".")) and child not in ALIASES and p.fs.isdir(child):
                found += _ls_dirs(p, posixpath.join(label, n), p.fs.norm(child), True, hidden)
    return found


def _ls_dir(p: Proc, path: str, opts: set[str]) -> None:
    names = p.fs.listdir(path)
    if "a" in opts:
        names = [".", "..", *names]
    if "A" not in opts and "a" not in opts:
        names = [n for n in names if not n.startswith(".")]
    if "l" in opts:
        p.out(f"total {len(names) * 8}\n")
    for n in names:
        full = p.fs.norm(posixpath.join(path, n))
        p.out((_ls_line(p, full, n) if "l" in opts else n) + "\n")


@command("rm")
def rm(p: Proc, args: list[str]) -> int:
    opts, paths = flags(args, "rRfvd")
    if not paths and "f" not in opts:
        return p.fail("rm: Needs 1 argument")
    status = 0
    for name in paths:
        path = p.path(name)
        if not p.fs.exists(path):
            if "f" not in opts:
                status = p.fail(f"rm: {name}: No such file or directory")
            continue
        try:
            p.fs.remove(path, recursive=bool(opts & {"r", "R"}))
        except FsError as e:
            status = p.fail(f"rm: {name}: {e}")
    return status


@command("mkdir")
def mkdir(p: Proc, args: list[str]) -> int:
    opts, paths = flags(args, "pv")
    status = 0
    for name in paths:
        try:
            p.fs.mkdir(p.path(name), parents="p" in opts)
        except FsError as e:
            status = p.fail(f"mkdir: '{name}': {e}")
    return status


@command("touch")
def touch(p: Proc, args: list[str]) -> int:
    _, paths = flags(args, "acm")
    status = 0
    for name in paths:
        try:
            p.fs.touch(p.path(name))
        except FsError as e:
            status = p.fail(f"touch: '{name}': {e}")
    return status


@command("cp")
def cp(p: Proc, args: list[str]) -> int:
    opts, paths = flags(args, "rRfpa")
    if len(paths) != 2:
        return p.fail("cp: Needs 2 arguments")
    src, dst = p.path(paths[0]), p.path(paths[1])
    if p.fs.isdir(dst):
        dst = posixpath.join(dst, posixpath.basename(src))
    if p.fs.isdir(src):
        if not opts & {"r", "R", "a"}:
            return p.fail(f"cp: '{paths[0]}' is a directory (not copied)")
        for path in p.fs.walk(src):
            target = dst + path[len(p.fs.norm(src)) :]
            if p.fs.isdir(path):
                p.fs.mkdir(target, parents=True)
            else:
                p.fs.write(target, p.fs.read(path))
        return 0
    p.fs.write(dst, p.fs.read(src))
    return 0


@command("mv")
def mv(p: Proc, args: list[str]) -> int:
    _, paths = flags(args, "fnv")
    if len(paths) != 2:
        return p.fail("mv: Needs 2 arguments")
    p.fs.rename(p.path(paths[0]), p.path(paths[1]))
    return 0


@command("date")
def date(p: Proc, args: list[str]) -> int:
    now = p.device.clock.now()
    fmt = next((a[1:] for a in args if a.startswith("+")), "%a %b %d %H:%M:%S %Z %Y")
    fmt = fmt.replace("%s", str(int(now))).replace("%N", f"{int(now % 1 * 1e9):09d}").replace("%Z", "UTC")
    p.out(time.strftime(fmt, time.gmtime(now)) + "\n")
    return 0


@command("whoami")
def whoami(p: Proc, args: list[str]) -> int:
    p.out("root\n" if p.device.root else "shell\n")
    return 0


@command("id")
def id_(p: Proc, args: list[str]) -> int:
    if not p.device.root:
        p.out("uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),"
              "1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats) "
              "context=u:r:shell:s0\n")  # fmt: skip
        return 0
    p.out("uid=0(root) gid=0(root) groups=0(root),1004(input),1007(log),1011(adb),1015(sdcard_rw),3003(inet) "
          "context=u:r:su:s0\n")  # fmt: skip
    return 0


@command("sleep")
@unlocked
def sleep(p: Proc, args: list[str]) -> int:
    try:
        seconds = float(args[0].rstrip("s")) if args else -1
    except ValueError:
        seconds = -1
    if seconds < 0:
        return p.fail(f"sleep: invalid number '{args[0] if args else ''}'")
    time.sleep(min(seconds, 60.0))
    return 0


@command("true", ":")
def true(p: Proc, args: list[str]) -> int:
    return 0


@command("false")
def false(p: Proc, args: list[str]) -> int:
    return 1


@command("exit")
def exit_(p: Proc, args: list[str]) -> int:
    raise ExitShell(int(args[0]) & 255 if args and args[0].lstrip("-").isdigit() else p.shell.status)


@command("cd")
def cd(p: Proc, args: list[str]) -> int:
    target = p.path(args[0] if args else "/")
    if not p.fs.isdir(target):
        return p.fail(f"{SH}: cd: {args[0] if args else '/'}: No such file or directory", 2)
    p.shell.cwd = target
    return 0


@command("pwd")
def pwd(p: Proc, args: list[str]) -> int:
    p.out(p.shell.cwd + "\n")
    return 0


@command("export", "unset")
def export(p: Proc, args: list[str]) -> int:
    for arg in args:
        name, eq, value = arg.partition("=")
        if p.name == "unset":
            p.shell.vars.pop(name, None)
        elif eq:
            p.shell.vars[name] = value
    return 0


@command("sh")
@unlocked  # each command it runs takes the lock itself (or not: sleep, screencap)
def sh(p: Proc, args: list[str]) -> int:
    child = type(p.shell)(p.device, p.shell.commands)
    if args[:1] == ["-c"] and len(args) > 1:
        result = child.run(args[1], p.stdin)
    else:
        result = child.run(p.stdin.decode("utf-8", "replace"))
    for fd, data in result.chunks:
        (p.out if fd == 1 else p.err)(data)
    return result.status


@command("exec")
@unlocked  # the command it runs takes the lock itself
def exec_(p: Proc, args: list[str]) -> int:
    """mksh's ``exec CMD``: the shell becomes ``CMD`` (its status ends the shell); bare ``exec`` does nothing."""
    if not args:
        return 0
    raise ExitShell(p.shell.call(args, p._io))


@command("test", "[")
def test(p: Proc, args: list[str]) -> int:
    if p.name == "[":
        if args[-1:] != ["]"]:
            return p.fail("[: missing ]", 2)
        args = args[:-1]
    negate = args[:1] == ["!"]
    args = args[1:] if negate else args
    ok = _test(p, args)
    return 0 if ok != negate else 1


def _test(p: Proc, args: list[str]) -> bool:
    if len(args) == 2 and args[0] in ("-e", "-f", "-d", "-s", "-z", "-n"):
        op, v = args
        checks = {"-e": lambda: p.fs.exists(p.path(v)), "-f": lambda: p.fs.isfile(p.path(v)),
                  "-d": lambda: p.fs.isdir(p.path(v)), "-z": lambda: not v, "-n": lambda: bool(v),
                  "-s": lambda: p.fs.isfile(p.path(v)) and bool(p.fs.read(p.path(v)))}  # fmt: skip
        return checks[op]()
    if len(args) == 3:
        a, op, b = args
        ints = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-gt": int.__gt__,
                "-le": int.__le__, "-ge": int.__ge__}  # fmt: skip
        if op in ints:
            return ints[op](int(a), int(b))
        return (a == b) if op in ("=", "==") else (a != b)
    return bool(args and args[0])


@command("chmod", "chown", "sync", "restorecon")
def noop(p: Proc, args: list[str]) -> int:
    return 0
