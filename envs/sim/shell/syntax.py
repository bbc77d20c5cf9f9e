"""The shell's syntax tree: what ``parse`` builds and ``interp`` runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lex import Word


@dataclass(frozen=True)
class Redirect:
    fd: int
    op: str  # ">", ">>", "<", ">&"
    target: Word


@dataclass
class If:
    branches: list[tuple[Script, Script]]  # (condition, body), the ``if`` then each ``elif``
    otherwise: Script | None = None


@dataclass
class Loop:
    until: bool
    condition: Script
    body: Script


@dataclass
class For:
    name: str
    words: list[Word] | None  # None: "$@"
    body: Script


@dataclass
class Case:
    word: Word
    arms: list[tuple[list[Word], Script]]


@dataclass
class Function:
    name: str
    body: Command


Compound = If | Loop | For | Case | Function


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    assigns: list[tuple[str, Word]] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    subshell: Script | None = None  # ( ... )
    group: Script | None = None  # { ...; }
    compound: Compound | None = None


@dataclass
class Pipeline:
    commands: list[Command]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]] = field(default_factory=list)  # ("&&" | "||", pipeline)


@dataclass
class Script:
    items: list[AndOr] = field(default_factory=list)
