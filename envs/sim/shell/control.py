"""Running compound commands: ``if``, loops, ``for``, ``case``, function definitions and calls. The builtins
that steer them (``break``, ``continue``, ``return``...) are in ``cmd_flow`` and raise the jumps defined here."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Protocol

from .streams import Io
from .syntax import Case, Command, For, Function, If, Loop, Script, Word


class Shell(Protocol):
    """What running a compound command needs of the shell (``interp.Shell``)."""

    vars: dict[str, str]
    args: list[str]
    functions: dict[str, Command]
    status: int

    def run_script(self, script: Script, io: Io) -> int: ...

    def run_command(self, cmd: Command, io: Io) -> int: ...

    def expand(self, word: Word, io: Io, split: bool = True) -> list[str]: ...


MAX_ITERATIONS = 1_000_000  # a runaway ``while true`` must not hang a transport thread forever


class LoopJump(Exception):
    """``break N`` / ``continue N``."""

    def __init__(self, kind: str, levels: int) -> None:
        self.kind = kind
        self.levels = levels


class Return(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def run_compound(sh: Shell, node: If | Loop | For | Case | Function, io: Io) -> int:
    if isinstance(node, If):
        for cond, body in node.branches:
            if sh.run_script(cond, io) == 0:
                return sh.run_script(body, io)
        return sh.run_script(node.otherwise, io) if node.otherwise else 0
    if isinstance(node, Loop):
        return _loop(sh, node, io)
    if isinstance(node, For):
        values = sh.args if node.words is None else [f for w in node.words for f in sh.expand(w, io)]
        return _for(sh, node.name, values, node.body, io)
    if isinstance(node, Case):
        subject = " ".join(sh.expand(node.word, io, split=False))
        for patterns, body in node.arms:
            if any(fnmatchcase(subject, " ".join(sh.expand(p, io, split=False))) for p in patterns):
                return sh.run_script(body, io)
        return 0
    sh.functions[node.name] = node.body
    return 0


def _iteration(sh: Shell, body: Script, io: Io) -> str | None:
    """Run a loop body once; ``"break"``/``"continue"`` when it jumped (re-raised for outer loops)."""
    try:
        sh.run_script(body, io)
    except LoopJump as jump:
        if jump.levels > 1:
            jump.levels -= 1
            raise
        return jump.kind
    return None


def _loop(sh: Shell, node: Loop, io: Io) -> int:
    status = 0
    for _ in range(MAX_ITERATIONS):
        if (sh.run_script(node.condition, io) == 0) == node.until:
            break
        jumped = _iteration(sh, node.body, io)
        status = sh.status
        if jumped == "break":
            break
    sh.status = status
    return status


def _for(sh: Shell, name: str, values: list[str], body: Script, io: Io) -> int:
    status = 0
    for value in values:
        sh.vars[name] = value
        jumped = _iteration(sh, body, io)
        status = sh.status
        if jumped == "break":
            break
    sh.status = status
    return status


def call_function(sh: Shell, body: Command, argv: list[str], io: Io) -> int:
    saved = sh.args
    sh.args = argv[1:]
    try:
        return sh.run_command(body, io)
    except Return as r:
        return r.status
    finally:
        sh.args = saved
