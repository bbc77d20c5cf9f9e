"""The shell's lexer: a command line into words (parts: literals, variables, substitutions, arithmetic) and
operators, with sh's quoting rules. ``parse`` builds the syntax tree from these tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS = ("&&", "||", ";;", ">>", ">&", "<&", ";", "&", "|", "(", ")", ">", "<", "\n")
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class ParseError(Exception):
    """A syntax error; the message reads like mksh's."""


class Incomplete(ParseError):
    """The input ends inside a construct (an open quote, ``if`` without ``fi``): more lines may complete it."""


@dataclass(frozen=True)
class Part:
    """A piece of a word: literal ``text``, a ``var`` name, or a ``cmd`` substitution's source."""

    kind: str  # "lit" | "var" | "cmd" | "arith"
    text: str
    quoted: bool


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)

    @property
    def literal(self) -> str | None:
        """The word's text when it has no expansions (used for assignments and operators)."""
        if all(p.kind == "lit" for p in self.parts):
            return "".join(p.text for p in self.parts)
        return None


# ---------------------------------------------------------------- lexer


@dataclass
class Op:
    text: str
    fd: int | None = None


def _matching(src: str, i: int, open_: str, close: str) -> int:
    """Index of the ``close`` matching the ``open_`` just before ``i`` (quotes respected)."""
    depth, quote = 1, ""
    while i < len(src):
        c = src[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "\\":
            i += 1
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Incomplete(f"no closing quote or '{close}'")


def _dollar(src: str, i: int, quoted: bool) -> tuple[Part, int]:
    """Parse the expansion starting at ``src[i] == '$'``; returns the part and the next index."""
    nxt = src[i + 1] if i + 1 < len(src) else ""
    if src.startswith("((", i + 1):
        end = _matching(src, i + 3, "(", ")")
        if src[end + 1 : end + 2] == ")":
            return Part("arith", src[i + 3 : end], quoted), end + 2
    if nxt == "(":
        end = _matching(src, i + 2, "(", ")")
        return Part("cmd", src[i + 2 : end], quoted), end + 1
    if nxt == "{":
        end = src.find("}", i + 2)
        if end < 0:
            raise ParseError("${: bad substitution")
        return Part("var", src[i + 2 : end], quoted), end + 1
    if nxt and nxt in "?$#!@*-0123456789":
        return Part("var", nxt, quoted), i + 2
    j = i + 1
    while j < len(src) and src[j] in NAME_CHARS:
        j += 1
    if j == i + 1:
        return Part("lit", "$", quoted), i + 1
    return Part("var", src[i + 1 : j], quoted), j


def _double_quoted(src: str, i: int, parts: list[Part]) -> int:
    """Read a "..." string starting after the opening quote; returns the index after the closing one."""
    buf = []
    while True:
        if i >= len(src):
            raise Incomplete("no closing quote")
        c = src[i]
        if c == '"':
            parts.append(Part("lit", "".join(buf), True))
            return i + 1
        if c == "\\" and i + 1 < len(src) and src[i + 1] in '$`"\\\n':
            if src[i + 1] != "\n":
                buf.append(src[i + 1])
            i += 2
        elif c == "$" or c == "`":
            parts.append(Part("lit", "".join(buf), True))
            buf = []
            part, i = _dollar(src, i, True) if c == "$" else _backtick(src, i, True)
            parts.append(part)
        else:
            buf.append(c)
            i += 1


def _backtick(src: str, i: int, quoted: bool) -> tuple[Part, int]:
    end = i + 1
    while end < len(src) and src[end] != "`":
        end += 2 if src[end] == "\\" else 1
    if end >= len(src):
        raise Incomplete("no closing quote")
    return Part("cmd", src[i + 1 : end].replace("\\`", "`"), quoted), end + 1


def tokenize(src: str) -> list[Word | Op]:
    """Split a command line into words and operators."""
    tokens: list[Word | Op] = []
    word: Word | None = None
    i = 0
    while i < len(src):
        c = src[i]
        if c in " \t" or (c == "#" and word is None):
            if c == "#":
                while i < len(src) and src[i] != "\n":
                    i += 1
                continue
            if word is not None:
                tokens.append(word)
                word = None
            i += 1
            continue
        op = next((o for o in OPERATORS if src.startswith(o, i)), None)
        if op is not None:
            fd = None
            if op in (">", ">>", "<", ">&", "<&") and word is not None:
                lit = word.literal
                if lit is not None and lit.isdigit() and not any(p.quoted for p in word.parts):
                    fd, word = int(lit), None
            if word is not None:
                tokens.append(word)
                word = None
            tokens.append(Op(op, fd))
            i += len(op)
            continue
        word = word or Word()
        i = _word_char(src, i, word)
    if word is not None:
        tokens.append(word)
    return tokens


def _word_char(src: str, i: int, word: Word) -> int:
    """Consume one element of a word (a char, a quoted string or an expansion) at ``i``."""
    c = src[i]
    if c == "'":
        end = src.find("'", i + 1)
        if end < 0:
            raise Incomplete("no closing quote")
        word.parts.append(Part("lit", src[i + 1 : end], True))
        return end + 1
    if c == '"':
        return _double_quoted(src, i + 1, word.parts)
    if c == "\\":
        if i + 1 < len(src) and src[i + 1] != "\n":
            word.parts.append(Part("lit", src[i + 1], True))
        return i + 2
    if c == "$":
        part, i = _dollar(src, i, False)
        word.parts.append(part)
        return i
    if c == "`":
        part, i = _backtick(src, i, False)
        word.parts.append(part)
        return i
    _literal(word, c)
    return i + 1


def _literal(word: Word, text: str) -> None:
    """Append unquoted text, merging with a preceding unquoted literal (so ``x=5`` is one part)."""
    last = word.parts[-1] if word.parts else None
    if last is not None and last.kind == "lit" and not last.quoted:
        word.parts[-1] = Part("lit", last.text + text, False)
    else:
        word.parts.append(Part("lit", text, False))


def tokenize_word(src: str) -> list[Part]:
    """``src`` as the parts of one word (spaces and operators literal, expansions expanded): ``$((...))``'s text."""
    word = Word()
    i = 0
    while i < len(src):
        if src[i] in "$`\\'\"":
            i = _word_char(src, i, word)
        else:
            _literal(word, src[i])
            i += 1
    return word.parts
