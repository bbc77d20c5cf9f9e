"""Text tools: grep (basic, extended and fixed patterns), head, tail, wc, printf."""

from __future__ import annotations

import posixpath
import re

from .cmd_files import flags, unescape
from .interp import CommandFn, Proc, registrar

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


@command("printf")
def printf(p: Proc, args: list[str]) -> int:
    if not args:
        return p.fail("printf: Needs 1 argument")
    fmt, values = unescape(args[0]), args[1:]
    conv = re.findall(r"%[-0-9.]*[sdixXf]", fmt)
    if not conv:
        p.out(fmt.replace("%%", "%"))
        return 0
    while True:
        chunk, values = values[: len(conv)], values[len(conv) :]
        typed = [_printf_value(c, v) for c, v in zip(conv, chunk + [""] * (len(conv) - len(chunk)), strict=True)]
        p.out(fmt % tuple(typed))
        if not values:
            return 0


def _printf_value(conv: str, value: str) -> object:
    if conv[-1] in "dixX":
        return int(value or 0)
    if conv[-1] == "f":
        return float(value or 0)
    return value


def _regex(pattern: str, opts: set[str]) -> re.Pattern[str]:
    if "F" in opts:
        pattern = re.escape(pattern)
    elif "E" not in opts:  # basic regex: \| \( \) \+ \? are operators, the bare characters are literal
        pattern = re.sub(r"\\([|()+?{}])|([|()+?{}])", lambda m: m.group(1) or "\\" + m.group(2), pattern)
    if "w" in opts:
        pattern = rf"\b(?:{pattern})\b"
    return re.compile(pattern, re.IGNORECASE if "i" in opts else 0)


@command("grep", "egrep", "fgrep")
def grep(p: Proc, args: list[str]) -> int:
    extra = {"egrep": {"E"}, "fgrep": {"F"}}.get(posixpath.basename(p.name), set())
    patterns: list[str] = []
    while "-e" in args:
        i = args.index("-e")
        patterns.append(args[i + 1] if i + 1 < len(args) else "")
        args = args[:i] + args[i + 2 :]
    opts, rest = flags(args, "ivcnEFoqwlsHh")
    opts |= extra
    if not patterns:
        if not rest:
            return p.fail("usage: grep [-EFivwcloqsHhn] PATTERN [FILE...]", 2)
        patterns, rest = [rest[0]], rest[1:]
    try:
        regexes = [_regex(pat, opts) for pat in patterns]
    except re.error as e:
        return p.fail(f"grep: bad regex: {e}", 2)
    sources = [(name, p.fs.read(p.path(name))) for name in rest] if rest else [("(standard input)", p.stdin)]
    found = False
    for name, data in sources:
        found |= _grep_one(p, regexes, opts, name if len(sources) > 1 or "H" in opts else "", data)
        if found and "q" in opts:
            return 0
    return 0 if found else 1


def _grep_one(p: Proc, regexes: list[re.Pattern[str]], opts: set[str], label: str, data: bytes) -> bool:
    lines = data.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    count = 0
    for n, line in enumerate(lines, 1):
        matches = [m for rx in regexes for m in rx.finditer(line)]
        if bool(matches) == ("v" in opts):
            continue
        count += 1
        if opts & {"q", "c", "l"}:
            continue
        prefix = (f"{label}:" if label and "h" not in opts else "") + (f"{n}:" if "n" in opts else "")
        if "o" in opts and "v" not in opts:
            p.out("".join(f"{prefix}{m.group(0)}\n" for m in matches))
        else:
            p.out(f"{prefix}{line}\n")
    if "c" in opts:
        p.out((f"{label}:" if label else "") + f"{count}\n")
    elif "l" in opts and count:
        p.out(f"{label or '(standard input)'}\n")
    return count > 0


def _lines_arg(args: list[str], default: int = 10) -> tuple[int, list[str]]:
    if args[:1] == ["-n"] and len(args) > 1:
        return int(args[1]), args[2:]
    if args and re.fullmatch(r"-n?\d+", args[0]):
        return int(args[0].lstrip("-n")), args[1:]
    return default, args


@command("head", "tail")
def head_tail(p: Proc, args: list[str]) -> int:
    head = posixpath.basename(p.name) == "head"
    if args[:1] == ["-c"] and len(args) > 1:
        count, files = int(args[1]), args[2:]
        data = b"".join(p.fs.read(p.path(f)) for f in files) if files else p.stdin
        p.out(data[:count] if head else data[-count:] if count else b"")
        return 0
    n, files = _lines_arg(args)
    data = b"".join(p.fs.read(p.path(f)) for f in files) if files else p.stdin
    lines = data.splitlines(keepends=True)
    chosen = lines[:n] if head else lines[-n:] if n else []
    p.out(b"".join(chosen))
    return 0


@command("wc")
def wc(p: Proc, args: list[str]) -> int:
    opts, files = flags(args, "lwc")
    data = b"".join(p.fs.read(p.path(f)) for f in files) if files else p.stdin
    counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
    chosen = [str(counts[k]) for k in "lwc" if k in opts] or [str(counts[k]) for k in "lwc"]
    p.out(" ".join(chosen) + (f" {files[0]}" if len(files) == 1 else "") + "\n")
    return 0
