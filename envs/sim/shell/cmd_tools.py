"""toybox's text and file tools: cut, sort, uniq, find, xargs, stat, md5sum/sha1sum/sha256sum, base64, tee, ln,
which, env (sed and awk are in ``cmd_sed_awk``)."""

from __future__ import annotations

import base64 as b64
import hashlib
import posixpath
import re
import stat as st
import time
import zlib

from ..fs import FsError
from .cmd_files import flags
from .interp import CommandFn, Proc, registrar, unlocked

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


def _inputs(p: Proc, files: list[str]) -> bytes:
    return b"".join(p.stdin if f == "-" else p.fs.read(p.path(f)) for f in files) if files else p.stdin


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines()


# ---------------------------------------------------------------- cut, sort, uniq


def _ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        a, dash, b = part.partition("-")
        out.append((int(a or 1), int(b) if b else (10**9 if dash else int(a))))
    return out


@command("cut")
def cut(p: Proc, args: list[str]) -> int:
    delim, fields, chars, files, it = "\t", "", "", [], iter(args)
    for a in it:
        if a.startswith("-d"):
            delim = a[2:] or next(it, "\t")
        elif a.startswith("-f"):
            fields = a[2:] or next(it, "")
        elif a.startswith("-c") or a.startswith("-b"):
            chars = a[2:] or next(it, "")
        else:
            files.append(a)
    if not fields and not chars:
        return p.fail("cut: Needs -fcb")
    spans = _ranges(fields or chars)
    for line in _lines(_inputs(p, files)):
        if chars:
            p.out("".join(line[a - 1 : b] for a, b in spans) + "\n")
        elif delim not in line:
            p.out(line + "\n")
        else:
            parts = line.split(delim)
            picked = [parts[i - 1] for i in range(1, len(parts) + 1) if any(a <= i <= b for a, b in spans)]
            p.out(delim.join(picked) + "\n")
    return 0


@command("sort")
def sort(p: Proc, args: list[str]) -> int:
    opts, files, key, sep, it = set(), [], 0, None, iter(args)
    for a in it:
        if a in ("-k", "-t"):
            value = next(it, "")
            key, sep = (int(value.split(",")[0].rstrip("nr") or 0), sep) if a == "-k" else (key, value)
        elif a.startswith("-") and len(a) > 1:
            opts |= set(a[1:])
        else:
            files.append(a)

    def sort_key(line: str) -> object:
        field = line.split(sep)[key - 1] if key and len(line.split(sep)) >= key else line
        if "n" in opts:
            m = re.match(r"\s*-?\d+(\.\d+)?", field)
            return (float(m.group(0)) if m else 0.0, line)
        return field.lower() if "f" in opts else field

    lines = sorted(_lines(_inputs(p, files)), key=sort_key, reverse="r" in opts)
    if "u" in opts:
        lines = list(dict.fromkeys(lines))
    p.out("".join(f"{ln}\n" for ln in lines))
    return 0


@command("uniq")
def uniq(p: Proc, args: list[str]) -> int:
    opts, files = flags(args, "cdu")
    groups: list[list[str]] = []
    for line in _lines(_inputs(p, files)):
        if groups and groups[-1][0] == line:
            groups[-1].append(line)
        else:
            groups.append([line])
    for g in groups:
        if ("d" in opts and len(g) < 2) or ("u" in opts and len(g) > 1):
            continue
        p.out(f"{len(g):7d} {g[0]}\n" if "c" in opts else f"{g[0]}\n")
    return 0


# ---------------------------------------------------------------- find, xargs


def _find_args(args: list[str]) -> tuple[list[str], dict[str, str]]:
    roots, tests, it = [], {}, iter(args)
    for a in it:
        if a in ("-name", "-iname", "-type", "-maxdepth", "-mindepth", "-path"):
            tests[a] = next(it, "")
        elif a in ("-print", "-follow", "-xdev"):
            continue
        else:
            roots.append(a)
    return roots or ["."], tests


@command("find")
def find(p: Proc, args: list[str]) -> int:
    from fnmatch import fnmatchcase

    roots, tests = _find_args(args)
    status = 0
    for root in roots:
        base = p.fs.norm(p.path(root))
        if not p.fs.exists(base):
            status = p.fail(f"find: {root}: No such file or directory")
            continue
        for full in p.fs.walk(base):
            depth = full[len(base) :].count("/") if full != base else 0
            name = posixpath.basename(full) or "/"
            shown = root.rstrip("/") + full[len(base) :] if full != base else root
            entry = p.fs.stat(full)
            checks = [
                depth <= int(tests.get("-maxdepth", 10**6)), depth >= int(tests.get("-mindepth", 0)),
                "-name" not in tests or fnmatchcase(name, tests["-name"]),
                "-iname" not in tests or fnmatchcase(name.lower(), tests["-iname"].lower()),
                "-path" not in tests or fnmatchcase(shown, tests["-path"]),
                "-type" not in tests or tests["-type"] == ("d" if entry.is_dir else "f"),
            ]  # fmt: skip
            if all(checks):
                p.out(shown + "\n")
    return status


@command("xargs")
@unlocked  # the commands it runs take the lock themselves
def xargs(p: Proc, args: list[str]) -> int:
    per, replace, it, cmd = 0, None, iter(args), []
    for a in it:
        if cmd:
            cmd.append(a)
        elif a == "-n":
            per = int(next(it, "0"))
        elif a == "-I":
            replace = next(it, "{}")
        elif a in ("-0", "-r", "-t"):
            continue
        else:
            cmd.append(a)
    cmd = cmd or ["echo"]
    items = p.stdin.decode("utf-8", "replace").split("\n" if replace else None)
    items = [i for i in items if i]
    if replace is not None:
        batches = [[c.replace(replace, item) for c in cmd] for item in items]
    else:
        size = per or max(len(items), 1)
        batches = [cmd + items[i : i + size] for i in range(0, max(len(items), 1), size)]
    status = 0
    for argv in batches:
        status = p.shell.call(argv, p._io) or status
    return 123 if status else 0


# ---------------------------------------------------------------- stat, checksums, base64


def _stat_format(p: Proc, fmt: str, name: str) -> str:
    e = p.fs.stat(p.path(name))
    inode = zlib.crc32(p.fs.norm(p.path(name)).encode()) % 900000 + 1000
    kind = "directory" if e.is_dir else "character special file" if st.S_ISCHR(e.mode) else "regular file"
    values = {"s": str(e.size), "n": name, "N": f"'{name}'", "a": f"{st.S_IMODE(e.mode):o}", "A": st.filemode(e.mode),
              "F": kind, "Y": str(e.mtime), "X": str(e.mtime), "Z": str(e.mtime), "u": "0", "g": "0", "U": "root",
              "G": "root", "h": "2" if e.is_dir else "1", "i": str(inode),
              "b": str((e.size + 511) // 512), "B": "512", "o": "4096", "f": f"{e.mode:x}",
              "y": time.strftime("%Y-%m-%d %H:%M:%S.000000000 +0000", time.gmtime(e.mtime))}  # fmt: skip
    values["x"] = values["z"] = values["y"]
    return re.sub(r"%(.)", lambda m: values.get(m.group(1), m.group(0)) if m.group(1) != "%" else "%", fmt)


@command("stat")
def stat(p: Proc, args: list[str]) -> int:
    fmt, files, it = None, [], iter(args)
    for a in it:
        if a in ("-c", "--format", "--printf"):
            fmt = next(it, "")
        elif a.startswith("-c") and len(a) > 2:
            fmt = a[2:]
        elif not a.startswith("-"):
            files.append(a)
    default = (
        "  File: %N\n  Size: %s\t Blocks: %b\t IO Blocks: %o\t%F\nDevice: fd05h/64773d\t Inode: %i\t Links: %h\n"
        "Access: (0%a/%A)\tUid: (    0/    root)\tGid: (    0/    root)\nAccess: %x\nModify: %y\nChange: %z\n"
    )
    status = 0
    for name in files:
        try:
            p.out(_stat_format(p, fmt + "\n" if fmt is not None else default, name))
        except FsError as e:
            status = p.fail(f"stat: '{name}': {e}")
    return status if files else p.fail("stat: Needs 1 argument")


def _checksum(algo: str) -> CommandFn:
    def run(p: Proc, args: list[str]) -> int:
        _, files = flags(args, "bc")
        status = 0
        for name in files or ["-"]:
            try:
                data = p.stdin if name == "-" else p.fs.read(p.path(name))
            except FsError as e:
                status = p.fail(f"{algo}sum: {name}: {e}")
                continue
            p.out(f"{hashlib.new(algo, data).hexdigest()}  {name}\n")
        return status

    return run


for _algo in ("md5", "sha1", "sha256", "sha512"):
    COMMANDS[f"{_algo}sum"] = _checksum(_algo)


@command("base64")
def base64(p: Proc, args: list[str]) -> int:
    opts, files = flags(args, "di")
    data = _inputs(p, files)
    if "d" in opts:
        try:
            p.out(b64.b64decode(b"".join(data.split()), validate=False))
        except ValueError:
            return p.fail("base64: bad input")
        return 0
    text = b64.b64encode(data).decode()
    p.out("".join(text[i : i + 76] + "\n" for i in range(0, len(text), 76)) if text else "")
    return 0


# ---------------------------------------------------------------- tee, ln, which, env


@command("tee")
def tee(p: Proc, args: list[str]) -> int:
    opts, files = flags(args, "ai")
    data = p.stdin
    for name in files:
        p.fs.write(p.path(name), data, append="a" in opts and p.fs.exists(p.path(name)))
    p.out(data)
    return 0


@command("ln")
def ln(p: Proc, args: list[str]) -> int:
    """``ln [-sf] TARGET LINK``: a file's link reads as the target did when linked (no symlink in this fs)."""
    opts, rest = flags(args, "sfnv")
    if len(rest) != 2:
        return p.fail("ln: Needs 2 arguments")
    target, link = rest
    dest = p.path(link)
    if p.fs.isdir(dest):
        dest = posixpath.join(dest, posixpath.basename(target))
    if p.fs.exists(dest) and "f" not in opts:
        return p.fail(f"ln: {link}: File exists")
    source = p.path(target) if target.startswith("/") else posixpath.join(posixpath.dirname(dest), target)
    if p.fs.isdir(source):
        p.fs.mkdir(dest, parents=True)
        return 0
    p.fs.write(dest, p.fs.read(source))
    if "s" in opts:
        p.fs.stat(dest).mode = 0o120777
    return 0


@command("which")
def which(p: Proc, args: list[str]) -> int:
    status = 0
    for name in (a for a in args if not a.startswith("-")):
        path = name if "/" in name else f"/system/bin/{name}"
        if p.fs.isfile(path):
            p.out(path + "\n")
        else:
            status = 1
    return status


@command("env", "printenv")
@unlocked
def env(p: Proc, args: list[str]) -> int:
    values = dict(p.shell.vars)
    rest = list(args)
    while rest and ("=" in rest[0] or rest[0] in ("-i", "-")):
        a = rest.pop(0)
        if a in ("-i", "-"):
            values = {}
        else:
            k, _, v = a.partition("=")
            values[k] = v
    if p.name.endswith("printenv"):
        for name in rest:
            if name in values:
                p.out(values[name] + "\n")
        return 0 if all(n in values for n in rest) else 1
    if not rest:
        p.out("".join(f"{k}={v}\n" for k, v in values.items()))
        return 0
    saved = p.shell.vars
    p.shell.vars = values
    try:
        return p.shell.call(rest, p._io)
    finally:
        p.shell.vars = saved
