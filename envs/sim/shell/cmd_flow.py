"""Builtins that steer compound commands and functions: break, continue, return, shift, local, read."""

from __future__ import annotations

from .control import LoopJump, Return
from .interp import CommandFn, Proc, registrar

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


def _count(p: Proc, args: list[str]) -> int | None:
    try:
        n = int(args[0]) if args else 1
    except ValueError:
        return None
    return n if n >= 1 else None


@command("break", "continue")
def break_(p: Proc, args: list[str]) -> int:
    n = _count(p, args)
    if n is None:
        return p.fail(f"{p.name}: bad number")
    raise LoopJump(p.name, n)


@command("return")
def return_(p: Proc, args: list[str]) -> int:
    raise Return(int(args[0]) & 0xFF if args and args[0].lstrip("-").isdigit() else p.shell.status)


@command("shift")
def shift(p: Proc, args: list[str]) -> int:
    n = int(args[0]) if args and args[0].isdigit() else 1
    if n > len(p.shell.args):
        return p.fail(f"shift: {n}: bad number")
    p.shell.args = p.shell.args[n:]
    return 0


@command("local")
def local(p: Proc, args: list[str]) -> int:
    for a in args:
        name, eq, value = a.partition("=")
        p.shell.vars[name] = value if eq else p.shell.vars.get(name, "")
    return 0


@command("read")
def read(p: Proc, args: list[str]) -> int:
    """``read [-r] NAME...``: one line of stdin split into the names (the last takes the rest)."""
    names = [a for a in args if not a.startswith("-")] or ["REPLY"]
    line = p.read_line()
    if line is None:
        return 1
    text = line.decode("utf-8", "replace").rstrip("\n")
    if "-r" not in args:
        text = text.replace("\\", "")
    fields = text.split(None, len(names) - 1) if len(names) > 1 else [text.strip()]
    for i, name in enumerate(names):
        p.shell.vars[name] = fields[i] if i < len(fields) else ""
    return 0
