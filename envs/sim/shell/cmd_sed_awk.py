"""toybox's stream editors: ``sed`` (``s///`` with flags g/i/p and ``\\1``/``&``, ``d``, ``p``, line and regex
addresses, ``-n -e -E -i``) and an ``awk`` subset (``-F``, ``-v``, ``BEGIN``/``END``, ``/re/`` and ``NR``/``$N``
comparisons as patterns, ``print`` of fields, ``NR``, ``NF`` and strings)."""

from __future__ import annotations

import re

from .cmd_tools import _inputs, _lines
from .interp import CommandFn, Proc, registrar

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


def bre(pattern: str, extended: bool) -> str:
    """A POSIX basic (or extended) regular expression as Python's ``re`` reads it."""
    if extended:
        return pattern
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            out.append(n if n in "(){}+?|" else "\\" + n)
            i += 2
            continue
        out.append("\\" + c if c in "(){}+?|" else c)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------- sed


def _split_s(script: str) -> tuple[str, str, str]:
    delim, parts, buf, i = script[1], [], [], 2
    while i < len(script):
        c = script[i]
        if c == "\\" and i + 1 < len(script) and script[i + 1] == delim:
            buf.append(delim)
            i += 2
            continue
        if c == delim and len(parts) < 2:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    if len(parts) < 2:
        raise ValueError(f"unterminated 's' in '{script}'")
    return parts[0], parts[1], "".join(buf)


def _sed_line(cmds: list[tuple[object, str, str]], line: str, n: int, last: bool, out: list[str], quiet: bool) -> None:
    for addr, op, arg in cmds:
        if addr is not None and not (addr == n or (addr == "$" and last)
                                     or (isinstance(addr, re.Pattern) and addr.search(line))):  # fmt: skip
            continue
        if op == "d":
            return
        if op == "p":
            out.append(line)
        elif op == "s":
            rx, rep, count, also_print = arg  # type: ignore[misc]
            new, made = rx.subn(rep, line, count=count)
            line = new
            if made and also_print:
                out.append(line)
    if not quiet:
        out.append(line)


def _sed_commands(scripts: list[str], extended: bool) -> list[tuple[object, str, object]]:
    cmds: list[tuple[object, str, object]] = []
    for script in (s.strip() for text in scripts for s in text.split(";") if s.strip()):
        addr: object = None
        if m := re.match(r"^(\d+|\$|/(?:[^/\\]|\\.)*/)", script):
            a = m.group(1)
            addr = int(a) if a.isdigit() else a if a == "$" else re.compile(bre(a[1:-1], extended))
            script = script[m.end() :].strip()
        if script[:1] == "s" and len(script) > 1:
            pat, rep, fl = _split_s(script)
            rep = re.sub(r"\\(\d)", r"\\\1", rep).replace("&", r"\g<0>").replace("\\\\g<0>", "&")
            rx = re.compile(bre(pat, extended), re.I if "i" in fl or "I" in fl else 0)
            cmds.append((addr, "s", (rx, rep, 0 if "g" in fl else 1, "p" in fl)))
        elif script in ("d", "p"):
            cmds.append((addr, script, None))
        else:
            raise ValueError(f"Unknown command '{script[:1]}' in '{script}'")
    return cmds


@command("sed")
def sed(p: Proc, args: list[str]) -> int:
    scripts, files, quiet, extended, inplace = [], [], False, False, False
    it = iter(args)
    for a in it:
        if a == "-e":
            scripts.append(next(it, ""))
        elif a in ("-n", "-E", "-r", "-i") or (a.startswith("-") and set(a[1:]) <= set("nEri") and len(a) > 1):
            quiet, extended, inplace = quiet or "n" in a, extended or bool(set(a) & set("Er")), inplace or "i" in a
        elif not scripts and not files:
            scripts.append(a)
        else:
            files.append(a)
    try:
        cmds = _sed_commands(scripts, extended)
    except (ValueError, re.error) as e:
        return p.fail(f"sed: {e}")
    targets = files if inplace else [None]
    for target in targets:
        lines = _lines(p.fs.read(p.path(target)) if target else _inputs(p, files))
        out: list[str] = []
        for n, line in enumerate(lines, 1):
            _sed_line(cmds, line, n, n == len(lines), out, quiet)  # type: ignore[arg-type]
        text = "".join(f"{ln}\n" for ln in out)
        if target:
            p.fs.write(p.path(target), text)
        else:
            p.out(text)
    return 0


# ---------------------------------------------------------------- awk (a subset: patterns and print)


def _awk_value(tok: str, fields: list[str], nr: int, vars_: dict[str, str]) -> str:
    if tok.startswith('"'):
        return tok[1:-1].replace("\\t", "\t").replace("\\n", "\n")
    if tok.startswith("$"):
        idx = len(fields) - 1 if tok == "$NF" else int(tok[1:] or 0)
        return " ".join(fields[1:]) if idx == 0 and fields[0] is None else (fields[idx] if idx < len(fields) else "")
    return {"NR": str(nr), "NF": str(len(fields) - 1)}.get(tok, vars_.get(tok, tok if tok.isdigit() else ""))


AWK_RULE = re.compile(r"\s*(BEGIN|END|/(?:[^/\\]|\\.)*/|[^{]+?)?\s*\{([^}]*)\}")
AWK_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\$\w+|\w+|,')


def _awk_print(action: str, fields: list[str], nr: int, ofs: str, vars_: dict[str, str]) -> str | None:
    action = action.strip().rstrip(";").strip()
    if action in ("", "print", "print $0"):
        return fields[0] if fields[0] is not None else ""
    if not action.startswith("print"):
        return None
    pieces, cur = [], ""
    for tok in AWK_TOKEN.findall(action[5:]):
        if tok == ",":
            pieces.append(cur)
            cur = ""
        else:
            cur += _awk_value(tok, fields, nr, vars_)
    return ofs.join([*pieces, cur])


def _awk_match(pattern: str | None, line: str, fields: list[str], nr: int) -> bool:
    if not pattern:
        return True
    if pattern.startswith("/"):
        return re.search(pattern[1:-1], line) is not None
    m = re.fullmatch(r"\s*(NR|NF|\$\d+)\s*(==|!=|>=|<=|>|<)\s*(\"[^\"]*\"|\d+)\s*", pattern)
    if not m:
        return False
    left, op, right = _awk_value(m.group(1), fields, nr, {}), m.group(2), m.group(3).strip('"')
    a, b = (int(left), int(right)) if left.lstrip("-").isdigit() and right.lstrip("-").isdigit() else (left, right)
    return {"==": a == b, "!=": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]  # type: ignore[operator]


@command("awk")
def awk(p: Proc, args: list[str]) -> int:
    sep, vars_, rest = None, {}, list(args)
    while rest and rest[0].startswith("-") and len(rest) > 1:
        a = rest.pop(0)
        if a.startswith("-F"):
            sep = a[2:] or rest.pop(0)
        elif a == "-v" and rest:
            k, _, v = rest.pop(0).partition("=")
            vars_[k] = v
    if not rest:
        return p.fail("usage: awk [-F sep] 'program' [file...]", 2)
    program, files = rest[0], rest[1:]
    rules = [(m.group(1), m.group(2)) for m in AWK_RULE.finditer(program)]
    if not rules:
        return p.fail(f"awk: syntax error in program '{program}'", 2)
    out, nr = [], 0
    for pattern, action in rules:
        if pattern == "BEGIN" and (line := _awk_print(action, [None], 0, " ", vars_)) is not None:  # type: ignore[list-item]
            out.append(line)
    for nr, line in enumerate(_lines(_inputs(p, files)), 1):
        fields = [line, *(line.split(sep if sep not in (None, " ") else None) if sep != "" else list(line))]
        for pattern, action in rules:
            if pattern in ("BEGIN", "END") or not _awk_match(pattern, line, fields, nr):
                continue
            if (printed := _awk_print(action, fields, nr, " ", vars_)) is not None:
                out.append(printed)
    for pattern, action in rules:
        if pattern == "END" and (line := _awk_print(action, [""], nr, " ", vars_)) is not None:
            out.append(line)
    p.out("".join(f"{ln}\n" for ln in out))
    return 0
